"""The scenario in the page: widget keys named after scenario fields, presets, files and the URL."""

from __future__ import annotations

import base64
import functools
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from partnership import Scenario, ScenarioError, load_scenario, parse_scenario_text, scenario_from_dict
from partnership.scenario import scenario_to_dict

PRESET_DIR = Path(__file__).resolve().parent.parent / "presets"
DEFAULT_PRESET = "childrens_home"
URL_KEY = "scenario"


@dataclass(frozen=True)
class Field:
    """One scalar input: its scenario path (also its widget key), label and how it is entered."""

    path: str
    label: str
    kind: str  # "money", "count", "percent", "text"
    help: str = ""
    step: float | None = None


FIELDS = [
    Field("name", "Scenario name", "text"),
    Field("unit", "Capacity is counted in", "text", "place, hour, bed..."),
    Field("period", "Prices are per", "text", "week, month, year..."),
    Field("currency", "Currency", "text"),
    Field("service.capacity", "Capacity (units each period)", "count", "N: units available each period", 1.0),
    Field("service.periods_per_year", "Periods per year", "count", "W: 52 for weekly prices", 1.0),
    Field("service.fixed_cost", "Fixed cost a year", "money", "F: paid whatever the occupancy", 10_000.0),
    Field("service.variable_cost", "Variable cost per occupied unit-period", "money", "v", 10.0),
    Field("prices.host", "Host price (under the agreement)", "money", "p_h: what the host pays per unit-period", 50.0),
    Field("prices.external", "External price", "money", "p_e: what other councils pay per unit-period", 50.0),
    Field("prices.spot", "Spot price (no agreement)", "money", "p_s: the provider's price without it", 50.0),
    Field(
        "prices.host_alternative",
        "Host's price elsewhere (no agreement)",
        "money",
        "p_a: what the host pays elsewhere, out-of-area costs included",
        50.0,
    ),
    Field("agreement.contribution", "Contribution a year", "money", "C: towards the fixed cost base", 5_000.0),
    Field(
        "agreement.compensation.per_external_unit",
        "Compensation per external unit-period",
        "money",
        "k: the provider pays the host for each place used by another council",
        10.0,
    ),
    Field(
        "agreement.compensation.premium_share",
        "Plus share of the external premium (%)",
        "percent",
        "r: share of max(external price - host price, 0)",
        5.0,
    ),
    Field(
        "agreement.sharing.target_margin",
        "Provider keeps surplus up to (% of operating cost)",
        "percent",
        "m: the target margin; surplus above it is shared",
        1.0,
    ),
    Field("agreement.sharing.loss_share", "Host's share of a deficit (%)", "percent", "ls: pain share", 5.0),
    Field(
        "agreement.sharing.loss_cap",
        "Cap on the host's deficit share a year",
        "money",
        "empty: no cap",
        10_000.0,
    ),
    Field("uncertainty.occupancy.low", "Occupancy, lowest (%)", "percent", step=1.0),
    Field("uncertainty.occupancy.mode", "Occupancy, most likely (%)", "percent", step=1.0),
    Field("uncertainty.occupancy.high", "Occupancy, highest (%)", "percent", step=1.0),
    Field("uncertainty.local_use.low", "Local use, lowest (%)", "percent", step=1.0),
    Field("uncertainty.local_use.mode", "Local use, most likely (%)", "percent", step=1.0),
    Field("uncertainty.local_use.high", "Local use, highest (%)", "percent", step=1.0),
]
FIELD_BY_PATH = {f.path: f for f in FIELDS}
INTERPOLATION_KEY = "agreement.sharing.interpolation"
DESCRIPTION_KEY = "description"
BANDS_KEY = "bands"  # list of {"from_local_use": %, "host_share": %}
BANDS_VERSION = "bands_version"
PRESET_KEY = "preset"


def presets() -> dict[str, Path]:
    """Preset files by their stem, in name order."""
    return {p.stem: p for p in sorted(PRESET_DIR.glob("*.y*ml"))}


def preset_title(stem: str) -> str:
    """The preset's scenario name, for the picker."""
    path = presets().get(stem)
    return _title(path, path.stat().st_mtime) if path else stem


@functools.lru_cache(maxsize=64)
def _title(path: Path, mtime: float) -> str:
    try:
        return load_scenario(path).name
    except ScenarioError:
        return path.stem


def _get(doc: dict, path: str):
    node = doc
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def load_into_state(scenario: Scenario) -> None:
    """Write every field of a (valid) scenario into the widgets' session state."""
    doc = scenario.model_dump(mode="json")
    doc["prices"]["spot"] = scenario.prices.spot_price
    doc["prices"]["host_alternative"] = scenario.prices.host_alternative_price
    for f in FIELDS:
        value = _get(doc, f.path)
        if f.kind == "percent":
            value = round(100 * float(value), 6)
        elif f.kind in ("money", "count") and value is not None:
            value = float(value)
        st.session_state[f.path] = value
    st.session_state[INTERPOLATION_KEY] = scenario.agreement.sharing.interpolation
    st.session_state[DESCRIPTION_KEY] = scenario.description or ""
    st.session_state[BANDS_KEY] = [
        {"from_local_use": round(100 * b.from_local_use, 6), "host_share": round(100 * b.host_share, 6)}
        for b in scenario.agreement.sharing.bands
    ]
    st.session_state[BANDS_VERSION] = st.session_state.get(BANDS_VERSION, 0) + 1


def load_preset(stem: str) -> None:
    """Load a preset file into the page."""
    load_into_state(load_scenario(presets()[stem]))


def bands_editor_key() -> str:
    """The data editor's key: a new one whenever the bands are replaced, which drops stale edits."""
    return f"bands_editor_{st.session_state.get(BANDS_VERSION, 0)}"


def current_bands() -> list[dict]:
    """The bands as edited in the table (percent), applying the editor's pending edits to its base rows."""
    rows = [dict(r) for r in st.session_state.get(BANDS_KEY, [])]
    edits = st.session_state.get(bands_editor_key())
    if isinstance(edits, dict):
        for index, change in (edits.get("edited_rows") or {}).items():
            i = int(index)
            if 0 <= i < len(rows):
                rows[i].update(change)
        deleted = set(edits.get("deleted_rows") or [])
        rows = [r for i, r in enumerate(rows) if i not in deleted]
        rows += [dict(r) for r in edits.get("added_rows") or []]
    return rows


def scenario_document() -> dict:
    """The scenario document the widgets describe (not yet validated)."""
    doc: dict = {}
    for f in FIELDS:
        value = st.session_state.get(f.path)
        if f.kind == "percent" and value is not None:
            value = float(value) / 100
        if f.kind == "text":
            value = (value or "").strip() or None
            if value is None:
                continue
        if value is None and f.path != "agreement.sharing.loss_cap":
            continue
        node = doc
        parts = f.path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    description = (st.session_state.get(DESCRIPTION_KEY) or "").strip()
    if description:
        doc["description"] = description
    sharing = doc.setdefault("agreement", {}).setdefault("sharing", {})
    sharing["interpolation"] = st.session_state.get(INTERPOLATION_KEY, "step")
    bands = []
    for row in current_bands():
        start, share = row.get("from_local_use"), row.get("host_share")
        bands.append(
            {
                "from_local_use": None if start is None else float(start) / 100,
                "host_share": None if share is None else float(share) / 100,
            }
        )
    sharing["bands"] = bands
    return doc


def current_scenario() -> tuple[Scenario | None, list[str]]:
    """The validated scenario, or None and the plain-English problems (percent fields named as such)."""
    try:
        return scenario_from_dict(scenario_document()), []
    except ScenarioError as exc:
        return None, [_percent_message(p) for p in exc.problems]


def _percent_message(problem: str) -> str:
    """Fractions are entered as percents: say the limits in percent too."""
    path = problem.split(":", 1)[0]
    field = FIELD_BY_PATH.get(path)
    if "from_local_use" in path or "host_share" in path or (field and field.kind == "percent"):

        def pct(m):
            return f"{m.group(1)} {float(m.group(2)) * 100:g} %"

        return re.sub(r"(must be [<>]=?|got) (-?[0-9.]+(?:e-?\d+)?)", pct, problem)
    return problem


# ---------------------------------------------------------------------------------------------
# The URL: the whole scenario, compressed, so that a link reopens exactly the same scenario


def encode_scenario(scenario: Scenario) -> str:
    """A compact, URL-safe text of the scenario."""
    raw = json.dumps(scenario_to_dict(scenario), separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


MAX_LINK_CHARS = 200_000
"""The longest link text read (a scenario's link is under 2,000 characters)."""


def decode_scenario(text: str) -> Scenario:
    """The scenario from :func:`encode_scenario`'s text. Raises ScenarioError in plain words.

    The text is capped at MAX_LINK_CHARS and the unpacked document at 1 MB (decompressed with a ``max_length``, so
    a compression bomb costs no more than that), then read like a file (``reading.read_document``)."""
    from partnership.reading import MAX_DOCUMENT_BYTES, read_document

    damaged = ScenarioError(["the link's scenario is damaged (was the address cut short?)"])
    if len(text) > MAX_LINK_CHARS:
        raise ScenarioError(
            [f"the link's scenario is {len(text):,} characters long; a link may carry at most {MAX_LINK_CHARS:,}"]
        )
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        unpack = zlib.decompressobj()
        raw = unpack.decompress(packed, MAX_DOCUMENT_BYTES + 1)
    except (ValueError, zlib.error):
        raise damaged from None
    if len(raw) > MAX_DOCUMENT_BYTES or unpack.unconsumed_tail:
        raise ScenarioError(["the link's scenario is more than 1 MB once unpacked; a scenario may be at most 1 MB"])
    if not unpack.eof:
        raise damaged
    return scenario_from_dict(read_document(raw, "the link's scenario"))


def init_session() -> list[str]:
    """On a session's first run: the scenario from the URL if there is one, else the default preset.
    Returns problems to show (a damaged link)."""
    if st.session_state.get("_initialised"):
        return []
    st.session_state["_initialised"] = True
    problems: list[str] = []
    params = st.query_params
    preset = params.get(PRESET_KEY)
    st.session_state[PRESET_KEY] = preset if preset in presets() else DEFAULT_PRESET
    if URL_KEY in params:
        try:
            load_into_state(decode_scenario(params[URL_KEY]))
            return problems
        except ScenarioError as exc:
            problems = [f"The link's scenario could not be opened: {p}" for p in exc.problems]
    load_preset(st.session_state[PRESET_KEY])
    return problems


def write_url(scenario: Scenario) -> None:
    """Keep the URL in step with the scenario on screen."""
    text = encode_scenario(scenario)
    if st.query_params.get(URL_KEY) != text:
        st.query_params[URL_KEY] = text
    if st.query_params.get(PRESET_KEY) != st.session_state.get(PRESET_KEY):
        st.query_params[PRESET_KEY] = st.session_state.get(PRESET_KEY, DEFAULT_PRESET)


def read_upload(data: bytes, filename: str) -> Scenario:
    """A scenario from an uploaded file's bytes (read safely: ``reading.read_document``). Raises ScenarioError in
    plain words."""
    return parse_scenario_text(data, filename)
