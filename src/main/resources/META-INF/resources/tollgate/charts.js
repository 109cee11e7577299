// Small bar charts drawn as SVG by hand (no library): attributes and classes only, no inline
// styles, so a strict Content-Security-Policy works. Each chart is an image with a text
// alternative, and every bar carries a <title> with its label and value.

const SVG = 'http://www.w3.org/2000/svg';

function node(name, attributes = {}, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

function frame(width, height, label) {
  const svg = node('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': label });
  svg.append(node('title', {}, label));
  return svg;
}

/**
 * Vertical bars over time: items [{ label, value, text }], labels shown every few bars.
 * @returns {SVGSVGElement}
 */
export function columns(items, { label, width = 720, height = 220 } = {}) {
  const svg = frame(width, height, label);
  const left = 8;
  const bottom = 28;
  const top = 12;
  const max = Math.max(1, ...items.map((item) => item.value));
  const plotHeight = height - bottom - top;
  const step = items.length ? (width - left * 2) / items.length : 0;
  const barWidth = Math.max(1, step * 0.75);
  const every = Math.max(1, Math.ceil(items.length / 8));
  svg.append(node('line', { x1: left, x2: width - left, y1: height - bottom, y2: height - bottom, class: 'axis' }));
  items.forEach((item, index) => {
    const barHeight = item.value > 0 ? Math.max(1, (item.value / max) * plotHeight) : 0;
    const x = left + index * step + (step - barWidth) / 2;
    const bar = node('rect', {
      x: x.toFixed(1), y: (height - bottom - barHeight).toFixed(1), width: barWidth.toFixed(1),
      height: barHeight.toFixed(1), class: 'bar', 'data-key': item.label,
    });
    bar.append(node('title', {}, `${item.label}: ${item.text}`));
    svg.append(bar);
    if (index % every === 0) {
      svg.append(node('text', { x: (x + barWidth / 2).toFixed(1), y: height - 10, class: 'tick', 'text-anchor': 'middle' },
        item.tick ?? item.label));
    }
  });
  return svg;
}

/** Horizontal bars, one row per item: the label, the bar, the value. */
export function rows(items, { label, width = 480, rowHeight = 26 } = {}) {
  const height = Math.max(1, items.length) * rowHeight + 8;
  const svg = frame(width, height, label);
  const labelWidth = 130;
  const valueWidth = 120;
  const plotWidth = width - labelWidth - valueWidth - 16;
  const max = Math.max(1, ...items.map((item) => item.value));
  items.forEach((item, index) => {
    const y = 4 + index * rowHeight;
    const barWidth = item.value > 0 ? Math.max(1, (item.value / max) * plotWidth) : 0;
    svg.append(node('text', { x: labelWidth - 8, y: y + rowHeight * 0.65, class: 'row-label', 'text-anchor': 'end' },
      truncate(item.label, 18)));
    const bar = node('rect', {
      x: labelWidth, y: y + 4, width: barWidth.toFixed(1), height: rowHeight - 8, class: 'bar', 'data-key': item.label,
    });
    bar.append(node('title', {}, `${item.label}: ${item.text}`));
    svg.append(bar);
    svg.append(node('text', { x: labelWidth + barWidth + 6, y: y + rowHeight * 0.65, class: 'row-value' }, item.text));
  });
  return svg;
}

function truncate(text, length) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
