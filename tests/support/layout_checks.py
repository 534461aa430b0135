"""What a projector shows badly, measured in the browser: tabs out of view, cut text, overlapping chart text, a
table that scrolls sideways. Each check returns plain-language problems (an empty list when the page is fine)."""

from __future__ import annotations

# Each tab's box must lie inside the window, and the tab list must not scroll (a hidden tab is a tab nobody finds).
TABS = """() => {
  const out = [];
  const list = document.querySelector('[role=tablist]');
  if (!list) return ['no tab list on the page'];
  if (list.scrollWidth > list.clientWidth + 1)
    out.push(`the tab list scrolls sideways (${list.scrollWidth} px of content in ${list.clientWidth} px)`);
  for (const tab of list.querySelectorAll('[role=tab]')) {
    const r = tab.getBoundingClientRect();
    const l = list.getBoundingClientRect();
    if (r.width === 0 || r.left < -0.5 || r.right > window.innerWidth + 0.5 || r.left < l.left - 0.5
        || r.right > l.right + 0.5)
      out.push(`tab "${tab.innerText.trim()}" is outside the window (left ${r.left.toFixed(0)}, right ${r.right.toFixed(0)})`);
  }
  return out;
}"""

# Text cut short: an element whose content is wider than its box (an ellipsis, or digits hidden past the edge).
CUT = """() => {
  const out = [];
  const seen = new Set();
  const selectors = ['[data-testid=stMetricValue]', '[data-testid=stMetricLabel]', '[data-testid=stMetricDelta]',
                     '[data-testid=stHeading]', '.screen-title'];
  for (const sel of selectors) {
    for (const root of document.querySelectorAll(sel)) {
      if (!root.offsetParent) continue;  // not shown (a closed expander, another view)
      for (const el of [root, ...root.querySelectorAll('*')]) {
        if (seen.has(el) || el.clientWidth === 0) continue;
        seen.add(el);
        if (el.scrollWidth > el.clientWidth + 1)
          out.push(`text cut in ${sel}: "${root.innerText.trim().slice(0, 60)}" (${el.scrollWidth} px in ${el.clientWidth} px)`);
      }
    }
  }
  return out;
}"""

# Inside every plotly chart on show: (1) no two pieces of text overlap; (2) no text runs past the chart's edge or
# under its toolbar; (3) no axis, colour-bar, legend or title text lies on a plot area (the first map's colour-bar
# labels on the second map). Excluded, and why: the hover layer (drawn only under the pointer); empty or invisible
# text; the tspans inside one <text> (lines of one label, stacked on purpose); the bars' own value labels and
# annotations inside a plot area for check (3), which sit on the plot on purpose.
CHART_TEXT = """() => {
  const out = [];
  const shown = (el) => {
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.display === 'none' || Number(cs.opacity) === 0) return false;
    for (let p = el; p && p.tagName !== 'svg'; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.display === 'none' || Number(s.opacity) === 0 || p.getAttribute('opacity') === '0') return false;
    }
    return true;
  };
  const meet = (a, b, pad) => a.left < b.right - pad && b.left < a.right - pad && a.top < b.bottom - pad && b.top < a.bottom - pad;
  const kind = (t) => t.closest('.legend') ? 'legend' : t.closest('.colorbar') ? 'colour bar'
    : t.closest('.g-gtitle') ? 'title' : t.closest('[class*=tick]') ? 'tick' : t.closest('.g-xtitle, .g-ytitle, [class*=title]') ? 'axis title'
    : t.closest('.annotation') ? 'annotation' : t.closest('.textpoint, .point') ? 'value label' : 'text';
  document.querySelectorAll('[role=tabpanel]:not([hidden]) .js-plotly-plot').forEach((gd, n) => {
    if (!gd.offsetParent) return;
    const name = (gd.querySelector('.g-gtitle') || {}).textContent || `chart ${n + 1}`;
    const svg = gd.querySelector('.main-svg').getBoundingClientRect();
    const texts = [...gd.querySelectorAll('svg text')]
      .filter((t) => !t.closest('.hoverlayer') && t.textContent.trim() && shown(t))
      .map((t) => ({t, r: t.getBoundingClientRect(), k: kind(t), s: t.textContent.trim().slice(0, 40)}))
      .filter((x) => x.r.width > 0 && x.r.height > 0);
    const areas = [...gd.querySelectorAll('.draglayer .nsewdrag')].map((d) => d.getBoundingClientRect());
    // a legend taller than its room gets a scroll bar and hides entries
    const scroll = gd.querySelector('.legend .scrollbar');
    if (scroll && scroll.getBoundingClientRect().height > 0) out.push(`${name}: the legend scrolls, hiding entries`);
    const bar = gd.querySelector('.modebar');
    const barBox = bar ? bar.getBoundingClientRect() : null;
    for (let i = 0; i < texts.length; i++) {
      const a = texts[i];
      if (a.r.left < svg.left - 1 || a.r.right > svg.right + 1 || a.r.top < svg.top - 1 || a.r.bottom > svg.bottom + 1)
        out.push(`${name}: ${a.k} "${a.s}" runs past the chart's edge`);
      if (barBox && barBox.width > 0 && meet(a.r, barBox, 0))
        out.push(`${name}: ${a.k} "${a.s}" lies under the chart's toolbar`);
      if (!['annotation', 'value label'].includes(a.k))
        for (const area of areas)
          if (meet(a.r, area, 2) && !(a.k === 'text')) out.push(`${name}: ${a.k} "${a.s}" lies on a plot area`);
      for (let j = i + 1; j < texts.length; j++) {
        const b = texts[j];
        if (meet(a.r, b.r, 1)) out.push(`${name}: ${a.k} "${a.s}" overlaps ${b.k} "${b.s}"`);
      }
    }
  });
  return [...new Set(out)];
}"""

# The sidebar's tables (the sharing bands) must show every column without a sideways scroll.
TABLE_SCROLL = """() => {
  const out = [];
  document.querySelectorAll('[data-testid=stSidebar] [data-testid=stDataFrame]').forEach((t) => {
    if (!t.offsetParent || t.closest('details:not([open])')) return;  // in a closed expander: not on show
    const scroller = t.querySelector('.dvn-scroller') || t;
    if (scroller.scrollWidth > scroller.clientWidth + 1)
      out.push(`a sidebar table scrolls sideways (${scroller.scrollWidth} px of columns in ${scroller.clientWidth} px)`);
  });
  return out;
}"""


def tab_problems(page) -> list[str]:
    return page.evaluate(TABS)


def cut_text(page) -> list[str]:
    return page.evaluate(CUT)


def chart_text_problems(page) -> list[str]:
    return page.evaluate(CHART_TEXT)


def table_scroll(page) -> list[str]:
    return page.evaluate(TABLE_SCROLL)
