"""The scenario in the page: widget keys named after scenario fields, presets, files and the URL."""

from __future__ import annotations

import base64
import functools
import math
import time
import zlib
from pathlib import Path

import streamlit as st

from partnership import Scenario, ScenarioError, load_scenario, parse_scenario_text, scenario_from_dict
from partnership.build_up import DERIVED_PATHS, derived
from partnership.fields import APART_GROUPS, FIELDS, input_step, spec, unit_text, value_of
from partnership.formats import money
from partnership.problems import Problem, page_words
from partnership.scenario import scenario_to_dict, set_path

from . import arrangements, build_up, compute
from .text import plain

KINDS_ENTERED = ("money_year", "money_unit", "money_once", "fraction", "count", "integer", "text")
"""Field kinds entered in a box of their own (choices, bands and sources have widgets of their own)."""

PRESET_DIR = Path(__file__).resolve().parent.parent / "presets"
DEFAULT_PRESET = "childrens_home"
URL_KEY = "scenario"


INPUT_PATHS = [
    f.path
    for f in FIELDS
    if f.kind in KINDS_ENTERED and "[i]" not in f.path and f.path != "description" and f.group not in APART_GROUPS
]
"""The scenario fields entered in a box of their own, one widget each, keyed by the field's path."""


def input_label(path: str) -> str:
    """The label of a field's input box: the registry's label and unit, in the scenario's own words
    ("Host price (£ per place-week)"); shares are entered as percents."""
    f = spec(path)
    if f.kind == "fraction":
        return f"{f.label} (% of operating cost)" if "operating cost" in f.unit else f"{f.label} (%)"
    if not f.numeric:
        return f.label
    ss = st.session_state
    words = [plain((ss.get(k) or "").strip() or spec(k).default) for k in ("currency", "unit", "period")]
    return f"{f.label} ({unit_text(path, *words)})"  # a label is Markdown: the scenario's words as typed


def unset_words(path: str) -> str:
    """What an optional field means when its box is left empty: "follows the external price" for the spot price,
    "no cap" for the cap on the host's deficit share; "" for a field that must be given."""
    f = spec(path)
    if f.default_from:
        return f"follows the {spec(f.default_from).label.lower()}"
    return f.unset_text


def step(path: str) -> float:
    """The input box's step for a field, from the magnitude of the value that sets its scale."""
    f = spec(path)
    scale = st.session_state.get(f.scale_from) if f.scale_from else None
    return input_step(path, float(scale) if isinstance(scale, (int, float)) else None)


def _decimals(value) -> int:
    """How many decimals (0, 1 or 2) show a number exactly enough: 2.5 places, £26.75, not 3 and £27."""
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return 0
    for d in (0, 1, 2):
        if abs(round(value, d) - value) < 1e-9 * max(1.0, abs(value)):
            return d
    return 2


def number_format(path: str) -> str:
    """The input box's printf format from the field's magnitude: percents to one decimal; prices with pence where
    the scale is under 100 (£26.75 an hour) and whole pounds above (£6300 a week); yearly and one-off sums in whole
    pounds; counts as whole numbers. Never fewer decimals than the value has, so the box never hides what the model
    uses (2.5 places stay 2.5)."""
    f = spec(path)
    value = st.session_state.get(path)
    if f.is_fraction:
        return "%.2f" if _decimals(value) > 1 else "%.1f"
    if f.kind == "money_unit":
        scale = st.session_state.get(f.scale_from) if f.scale_from else value
        small = isinstance(scale, (int, float)) and abs(scale) < 100
        return "%.2f" if small or _decimals(value) else "%.0f"
    return "%.0f" if _decimals(value) == 0 else f"%.{_decimals(value)}f"


def money_caption(path: str) -> str:
    """The value of a large sum with thousands separators, which a printf-formatted box cannot show
    ("£790,000 a year"); "" for other fields and for sums under 10,000."""
    f = spec(path)
    value = st.session_state.get(path)
    if f.kind not in ("money_year", "money_once") or not isinstance(value, (int, float)) or abs(value) < 10_000:
        return ""
    currency = plain((st.session_state.get("currency") or "").strip() or "£")  # a caption is Markdown
    return f"= {money(value, currency)} {'once' if f.kind == 'money_once' else 'a year'}"


INTERPOLATION_KEY = "agreement.sharing.interpolation"
DESCRIPTION_KEY = "description"
PER_YEAR_KEY = "term_per_year"  # True: the indexation rates are set year by year in a table
YEARS_KEY = "term_years_rows"  # [{"year": 2, "costs": %, ...}, ...], the per-year table's base rows
YEARLY_KEY = "term_yearly_fields"  # the growth fields the scenario gave year by year (saved as lists again)
YEARS_VERSION = "term_years_version"
GROWTH_PATHS = [f.path for f in FIELDS if f.per_year and f.group not in APART_GROUPS]
SOURCES_KEY = "sources"  # {dotted path: {source, year, estimate}}, carried through edits unchanged
REGION_KEY = "region"  # the region's member councils (MODEL.md section 12), carried through edits unchanged
APART_KEY = (
    arrangements.APART_KEY
)  # {cost_build_up, alternative_mix, arrangements: as the file gives them}, carried through
DERIVED_KEY = (
    "_derived_shown"  # {dotted path: the derived value its box was given}: a changed box replaces the build-up
)
REGION_VERSION = "region_version"  # a new councils' table whenever the region is replaced
BANDS_KEY = "bands"  # list of {"from_local_use": %, "host_share": %}
BANDS_VERSION = "bands_version"
PRESET_KEY = "preset"


def presets() -> dict[str, Path]:
    """Preset files by their stem, in name order (the folder read again at most once a second: the picker asks for
    each preset's title on every redraw)."""
    return {stem: path for stem, path, _ in _presets(int(time.monotonic()))}


@functools.lru_cache(maxsize=1)
def _presets(second: int) -> tuple[tuple[str, Path, float], ...]:
    """``(stem, path, modified time)`` of each preset file, as the folder stood in that second."""
    return tuple((p.stem, p, p.stat().st_mtime) for p in sorted(PRESET_DIR.glob("*.y*ml")))


def _modified(stem: str) -> tuple[Path, float] | tuple[None, None]:
    for name, path, mtime in _presets(int(time.monotonic())):
        if name == stem:
            return path, mtime
    return None, None


def preset_title(stem: str) -> str:
    """The preset's scenario name, for the picker."""
    path, mtime = _modified(stem)
    return _title(path, mtime) if path else stem


def preset_description(stem: str) -> str:
    """The preset file's own description (what it is, its sources, which figures are estimates); "" if none."""
    path, mtime = _modified(stem)
    return _description(path, mtime) if path else ""


@functools.lru_cache(maxsize=64)
def _description(path: Path, mtime: float) -> str:
    try:
        return (load_scenario(path).description or "").strip()
    except ScenarioError:
        return ""


@functools.lru_cache(maxsize=64)
def _title(path: Path, mtime: float) -> str:
    try:
        return load_scenario(path).name
    except ScenarioError:
        return path.stem


def load_into_state(scenario: Scenario) -> None:
    """Write every field of a (valid) scenario into the widgets' session state (shares as percents). An optional field
    the scenario leaves unset stays empty (None): one that follows another (the spot price follows the external
    price) goes on following it, and is saved unset."""
    years = scenario.term.years
    rows = [{"year": t} for t in range(2, years + 1)]
    per_year = False
    for path in GROWTH_PATHS:
        value = value_of(scenario, path)
        rates = value if isinstance(value, list) else [value] * (years - 1)
        per_year = per_year or isinstance(value, list)
        for row, rate in zip(rows, rates):
            row[path.rsplit(".", 1)[1]] = round(100 * float(rate), 6)
    st.session_state[PER_YEAR_KEY] = per_year
    st.session_state[YEARLY_KEY] = [p for p in GROWTH_PATHS if isinstance(value_of(scenario, p), list)]
    st.session_state[YEARS_KEY] = rows
    st.session_state[YEARS_VERSION] = st.session_state.get(YEARS_VERSION, 0) + 1
    for path in INPUT_PATHS:
        value = value_of(scenario, path, resolved=False)
        f = spec(path)
        if f.per_year and isinstance(value, list):
            value = value[0] if value else 0.0
        if f.is_fraction:
            value = round(100 * float(value), 6)
        elif f.numeric and value is not None:
            value = float(value)
        st.session_state[path] = value
    st.session_state[INTERPOLATION_KEY] = scenario.agreement.sharing.interpolation
    st.session_state[DESCRIPTION_KEY] = scenario.description or ""
    st.session_state[SOURCES_KEY] = {k: v.model_dump(mode="json") for k, v in (scenario.sources or {}).items()}
    st.session_state[REGION_KEY] = (
        None if scenario.region is None else scenario.region.model_dump(mode="json", exclude_none=True)
    )
    # the cost build-up, the alternative mix and the arrangements are carried through edits unchanged (their tables
    # are yet to be drawn); the boxes of the figures they derive show the derived values
    saved = scenario_to_dict(scenario)
    st.session_state[APART_KEY] = {
        k: saved[k] for k in ("cost_build_up", "alternative_mix", "arrangements") if k in saved
    }
    st.session_state[DERIVED_KEY] = {DERIVED_PATHS[k]: v for k, v in derived(scenario).items() if v is not None}
    st.session_state[REGION_VERSION] = st.session_state.get(REGION_VERSION, 0) + 1  # the councils' table anew
    st.session_state[BANDS_KEY] = [
        {"from_local_use": round(100 * b.from_local_use, 6), "host_share": round(100 * b.host_share, 6)}
        for b in scenario.agreement.sharing.bands
    ]
    st.session_state[BANDS_VERSION] = st.session_state.get(BANDS_VERSION, 0) + 1


def load_preset(stem: str) -> None:
    """Load a preset file into the page."""
    load_into_state(load_scenario(presets()[stem]))


def years_editor_key() -> str:
    """The per-year rates table's key: a new one whenever its rows are replaced."""
    return f"years_editor_{st.session_state.get(YEARS_VERSION, 0)}"


def current_year_rows() -> list[dict]:
    """The per-year indexation rows (percent) for years 2..T as the table shows them: the table's edits on
    its base rows, cut or extended (repeating the last row) to the number of years now set."""
    rows = [dict(r) for r in st.session_state.get(YEARS_KEY, [])]
    years = int(st.session_state.get("term.years") or 1)
    last = rows[-1] if rows else {p.rsplit(".", 1)[1]: st.session_state.get(p) or 0.0 for p in GROWTH_PATHS}
    rows = rows[: years - 1] + [dict(last) for _ in range(max(0, years - 1 - len(rows)))]
    edits = st.session_state.get(years_editor_key())
    if isinstance(edits, dict):  # the table shows these rows: its edits apply to them
        for index, change in (edits.get("edited_rows") or {}).items():
            if 0 <= int(index) < len(rows):
                rows[int(index)].update(change)
    for t, row in enumerate(rows, start=2):
        row["year"] = t
    return rows


def _keep_edits(editor_key: str, current_rows, rows_key: str, version_key: str) -> None:
    """Fold a table's pending edits (under ``editor_key``) into its base rows (``current_rows()``, kept under
    ``rows_key``) and start a fresh table (a new ``version_key``)."""
    if isinstance(st.session_state.get(editor_key), dict):
        rows = current_rows()
        st.session_state.pop(editor_key, None)
        st.session_state[rows_key] = rows
        st.session_state[version_key] = st.session_state.get(version_key, 0) + 1


def keep_year_edits() -> None:
    """Fold the per-year table's pending edits into its base rows and start a fresh table: called when the table
    is about to stop being drawn (its group closed), since Streamlit forgets the state of a widget it does not draw."""
    _keep_edits(years_editor_key(), current_year_rows, YEARS_KEY, YEARS_VERSION)


def keep_band_edits() -> None:
    """As :func:`keep_year_edits`, for the sharing-band table."""
    _keep_edits(bands_editor_key(), current_bands, BANDS_KEY, BANDS_VERSION)


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


def share(percent: float) -> float:
    """A share (0-1) from the percent an input holds, without the binary noise of dividing by 100: 4.1 % is 0.041,
    not 0.040999999999999995 (a saved scenario keeps the figures it was given)."""
    return round(float(percent) / 100, 12)


def scenario_document() -> dict:
    """The scenario document the widgets describe (not yet validated)."""
    doc: dict = {}
    for path in INPUT_PATHS:
        f = spec(path)
        value = st.session_state.get(path)
        if f.is_fraction and value is not None:
            value = share(value)
        if f.kind == "text":
            value = (value or "").strip() or None
            if value is None:
                continue
        if value is None:  # an optional field left empty stays unset (e.g. no cap)
            continue
        set_path(doc, path, value, copy_first=False)
    description = (st.session_state.get(DESCRIPTION_KEY) or "").strip()
    if description:
        doc["description"] = description
    if sources := st.session_state.get(SOURCES_KEY):
        doc["sources"] = sources
    if region := current_region():
        doc["region"] = region
    _carry_apart(doc)
    if st.session_state.get(PER_YEAR_KEY):
        indexation = doc.setdefault("term", {}).setdefault("indexation", {})
        rows = current_year_rows()
        yearly = st.session_state.get(YEARLY_KEY) or []
        for path in GROWTH_PATHS:
            key = path.rsplit(".", 1)[1]
            rates = [None if r.get(key) is None else share(r[key]) for r in rows]
            if path in yearly or None in rates or len(set(rates)) > 1:
                indexation[key] = rates
            elif rates:  # the same rate every year: one number, as a scenario given one number has it
                indexation[key] = rates[0]
    sharing = doc.setdefault("agreement", {}).setdefault("sharing", {})
    sharing["interpolation"] = st.session_state.get(INTERPOLATION_KEY, "step")
    bands = []
    for row in current_bands():
        start, rate = row.get("from_local_use"), row.get("host_share")
        bands.append(
            {
                "from_local_use": None if start is None else share(start),
                "host_share": None if rate is None else share(rate),
            }
        )
    sharing["bands"] = bands
    return doc


def _carry_apart(doc: dict) -> None:
    """The build-up, mix and arrangements the scenario was loaded with, back in the document; a figure they derive is
    left out of it while its box still shows the derived value, and typing another value there replaces the build-up
    (the typed figure wins)."""
    carried = build_up.with_edits(st.session_state.get(APART_KEY) or {})  # the sidebar's tables' pending edits
    own = arrangements.current()  # the view's table of the scenario's own arrangements, with its pending edits
    if own:
        carried["arrangements"] = own
    else:
        carried.pop("arrangements", None)
    shown = st.session_state.get(DERIVED_KEY) or {}
    for part, paths in (
        ("cost_build_up", ("service.variable_cost", "service.fixed_cost")),
        ("alternative_mix", ("prices.host_alternative",)),
    ):
        if part not in carried:
            continue
        typed = [p for p in paths if st.session_state.get(p) != shown.get(p)]
        if typed:
            del carried[part]  # a derived figure typed over: the typed figures stand, the build-up goes
            continue
        for p in paths:
            head, name = p.split(".")
            doc.get(head, {}).pop(name, None)
    doc.update(carried)


PROBLEMS_KEY = "_problems_by_field"  # {field path the model names: [plain messages]}, for the inputs to show


def current_scenario() -> tuple[Scenario | None, list[str]]:
    """The validated scenario, or None and the plain-English problems (percent fields named as such).

    Each problem is also kept by the field path the model names, so the sidebar shows it beside that field's input
    (:func:`problems_at`): a value out of range is never silently dropped or clamped."""
    try:
        scenario = scenario_from_dict(scenario_document())
    except ScenarioError as exc:
        by_field: dict[str, list[str]] = {}
        for p in exc.details:
            by_field.setdefault(p.path, []).append(plain_message(p))
        st.session_state[PROBLEMS_KEY] = by_field
        return None, plain_messages(exc)
    st.session_state[PROBLEMS_KEY] = {}
    return scenario, []


def problems_at(path: str) -> list[str]:
    """The plain problems the last validation found at a field or group (``uncertainty.occupancy`` holds its three
    ends; ``agreement.sharing.bands`` every band; ``term.indexation.costs`` each year's rate)."""
    found = []
    for where, lines in (st.session_state.get(PROBLEMS_KEY) or {}).items():
        if where == path or where.startswith((path + ".", path + "[")):
            found += lines
    return found


def plain_message(problem: Problem | str) -> str:
    """A problem in the page's words (:func:`partnership.problems.page_words`): the field's label for its dotted
    path, "at least" for ">=", shares in percent as they are entered, bands counted from 1. Text that is not a
    problem (an error's own words) is shown as it is.

    >>> plain_message(Problem("agreement.compensation.premium_share", "le", bound=1, got=1.5))
    'Share of the external premium: must be at most 100 %, got 150 %'
    """
    return page_words(problem) if isinstance(problem, Problem) else str(problem)


def plain_messages(exc: BaseException) -> list[str]:
    """The problems of a ScenarioError in the page's words; ``[str(exc)]`` for any other error."""
    return [plain_message(p) for p in getattr(exc, "details", [str(exc)])]


# ---------------------------------------------------------------------------------------------
# The URL: the whole scenario, compressed, so that a link reopens exactly the same scenario


def encode_scenario(scenario: Scenario) -> str:
    """A compact, URL-safe text of the scenario: its compact JSON (the page's cache key, written once for the
    scenario, :func:`ui.compute.key`), compressed."""
    raw = compute.key(scenario).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


MAX_LINK_CHARS = 100_000
"""The longest scenario text a link may carry, written or read (a preset's is under 2,000 characters). Streamlit's
server answers an address of more than about 127,900 characters with an error page (HTTP 400), so a page whose
address were longer could not be reloaded or shared; this leaves room for the rest of the address and for what a
browser sends with it (measured over HTTP on 127.0.0.1: tests/app/test_link_limit.py)."""

LINK_TOO_LONG = (
    "This scenario is too long to keep in the page's address ({chars:,} characters; an address may carry at most "
    "{limit:,}), so the address does not hold it: reloading or sharing this page would not bring it back. To keep it "
    "or share it, save it as a file (Open or save a scenario file, in the sidebar) or save it as an option of a "
    "workshop room (Compare options); a shorter description also makes it fit."
)
"""What the page says when the scenario on screen is too long for its address."""


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
            problems = [
                p[0].upper() + p[1:] if p.startswith("the link") else f"The link's scenario could not be opened: {p}"
                for p in plain_messages(exc)
            ]
    load_preset(st.session_state[PRESET_KEY])
    return problems


def write_url(scenario: Scenario) -> str:
    """Keep the URL in step with the scenario on screen. A scenario too long for an address (more than
    :data:`MAX_LINK_CHARS` in the link's text: a very long description) is not written, and the address drops the
    scenario it held, so it never opens another one; returns what to tell the reader then ("" otherwise)."""
    if st.query_params.get(PRESET_KEY) != st.session_state.get(PRESET_KEY):
        st.query_params[PRESET_KEY] = st.session_state.get(PRESET_KEY, DEFAULT_PRESET)
    text = encode_scenario(scenario)
    if len(text) > MAX_LINK_CHARS:
        if URL_KEY in st.query_params:
            del st.query_params[URL_KEY]
        return LINK_TOO_LONG.format(chars=len(text), limit=MAX_LINK_CHARS)
    if st.query_params.get(URL_KEY) != text:
        st.query_params[URL_KEY] = text
    return ""


def read_upload(data: bytes, filename: str) -> Scenario:
    """A scenario from an uploaded file's bytes (read safely: ``reading.read_document``). Raises ScenarioError in
    plain words."""
    return parse_scenario_text(data, filename)


def source_note(path: str) -> str:
    """The field's source, year and whether it is an estimate, in one line ("" when the scenario gives none)."""
    src = (st.session_state.get(SOURCES_KEY) or {}).get(path)
    if not src:
        return ""
    year = f" ({plain(src['year'])})" if src.get("year") else ""
    return f"Source: {plain(src['source'])}{year}" + ("; an ESTIMATE" if src.get("estimate") else "")


# ---------------------------------------------------------------------------------------------
# The region's member councils (MODEL.md section 12): a table in the sidebar, its rows in percent and money

MEMBER_COLUMNS = ("name", "use_share", "contribution_share", "host_alternative", "local_use_anyway")
"""The councils' table's columns, each a member field (``region.members[i].<column>``)."""
MEMBER_PERCENT = ("use_share", "contribution_share", "local_use_anyway")
"""The councils' table's columns entered as percents."""


def region_editor_key() -> str:
    """The councils' table's key: a new one whenever the region is replaced (a preset, a file, Adopt), which drops
    stale edits."""
    return f"region_editor_{st.session_state.get(REGION_VERSION, 0)}"


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value)


def region_rows() -> list[dict]:
    """The councils as the table shows them (shares in percent; None where a field is left unset), with the table's
    pending edits applied to the region's base rows."""
    region = st.session_state.get(REGION_KEY) or {}
    rows = []
    for m in region.get("members") or []:
        row = {}
        for c in MEMBER_COLUMNS:
            v = m.get(c)
            row[c] = round(100 * float(v), 6) if c in MEMBER_PERCENT and isinstance(v, (int, float)) else v
        rows.append(row)
    edits = st.session_state.get(region_editor_key())
    if isinstance(edits, dict):
        for index, change in (edits.get("edited_rows") or {}).items():
            if 0 <= int(index) < len(rows):
                rows[int(index)].update(change)
        deleted = set(edits.get("deleted_rows") or [])
        rows = [r for i, r in enumerate(rows) if i not in deleted]
        rows += [{c: r.get(c) for c in MEMBER_COLUMNS} for r in edits.get("added_rows") or []]
    return rows


def current_region() -> dict | None:
    """The region's document as the sidebar holds it (its table's pending edits applied; shares as fractions), or
    None for one host. Left to the model to check: a share that does not add up is refused in its own words."""
    region = st.session_state.get(REGION_KEY)
    if not region:
        return None
    members = []
    for row in region_rows():
        member = {}
        for c in MEMBER_COLUMNS:
            v = row.get(c)
            if _blank(v):
                continue
            if c == "name":
                member[c] = str(v).strip()
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                member[c] = share(v) if c in MEMBER_PERCENT else float(v)
            else:
                member[c] = v  # not a number: the model names the field
        members.append(member)
    return {**{k: v for k, v in region.items() if k != "members"}, "members": members}


def set_region(region: dict | None) -> None:
    """Replace the region (None: one host) and start a fresh councils' table: the normal edit path, so the link,
    the files and saved options carry it."""
    st.session_state[REGION_KEY] = region
    st.session_state[REGION_VERSION] = st.session_state.get(REGION_VERSION, 0) + 1


def keep_region_edits() -> None:
    """Fold the councils' table's pending edits into the region (as :func:`keep_band_edits` does for the bands)."""
    if isinstance(st.session_state.get(region_editor_key()), dict):
        region = current_region()
        st.session_state.pop(region_editor_key(), None)
        set_region(region)


def set_contribution_shares(shares: list[float]) -> None:
    """Set each member council's share of the contribution (fractions, in the councils' order), keeping the table's
    other edits: what a rule's Adopt does."""
    region = current_region()
    if not region:
        return
    rounded = [round(float(w), 6) for w in shares[:-1]]  # to a ten-thousandth of a percent, as the table shows
    rounded.append(round(1.0 - sum(rounded), 6))  # and adding up to 100 % exactly
    for member, w in zip(region["members"], rounded):
        member["contribution_share"] = w
    st.session_state.pop(region_editor_key(), None)
    set_region(region)
