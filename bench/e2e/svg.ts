/**
 * A hand-written SVG bar chart: one group per workload, one bar per client (median ratio to
 * ioredis), a whisker for min–max, a dashed line at 1.0 and the wredis target as a tick.
 */
import type { ClientName } from './adapters/types.js';
import type { Summary } from './stats.js';
import type { Workload } from './workloads.js';

const COLORS: Record<string, string> = {
  wredis: '#6a3de8',
  ioredis: '#9aa0a6',
  'ioredis-ap': '#c4c8cc',
  'node-redis': '#dc382d',
};
/** Builds of wredis from other refs (--against): lighter purples, in order. */
const AGAINST = ['#b3a0f0', '#d5c9f7', '#8e78e0'];
const OTHER = ['#2b9348', '#f4a261', '#264653', '#e9c46a'];

function colorOf(c: ClientName, clients: readonly ClientName[]): string {
  const known = COLORS[c];
  if (known !== undefined) return known;
  const same = clients.filter(
    (x) => COLORS[x] === undefined && x.startsWith('wredis@') === c.startsWith('wredis@'),
  );
  const palette = c.startsWith('wredis@') ? AGAINST : OTHER;
  return palette[same.indexOf(c) % palette.length] as string;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function chart(
  workloads: readonly Workload[],
  clients: readonly ClientName[],
  summaries: readonly Summary[],
  title: string,
): string {
  const barW = 18;
  const gap = 4;
  const groupPad = 26;
  const left = 50;
  const top = 50;
  const plotH = 260;
  const groupW = clients.length * (barW + gap) - gap + groupPad;
  const width = left + workloads.length * groupW + 20;
  const height = top + plotH + 80;
  let maxY = 1.2;
  for (const s of summaries) if (Number.isFinite(s.ratio.max)) maxY = Math.max(maxY, s.ratio.max);
  for (const w of workloads) if (w.target !== undefined) maxY = Math.max(maxY, w.target);
  maxY = Math.ceil(maxY * 1.1 * 2) / 2;
  const y = (v: number) => top + plotH - (v / maxY) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  parts.push(`<text x="${left}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`);
  parts.push(
    `<text x="${left}" y="36" fill="#555">cmd/s ÷ ioredis in the same repeat, median and min–max; ▸ = wredis target</text>`,
  );
  for (let v = 0; v <= maxY + 1e-9; v += maxY > 4 ? 1 : 0.5) {
    parts.push(`<line x1="${left}" x2="${width - 20}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`);
    parts.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555">${v.toFixed(1)}</text>`);
  }
  parts.push(
    `<line x1="${left}" x2="${width - 20}" y1="${y(1)}" y2="${y(1)}" stroke="#333" stroke-dasharray="4 3"/>`,
  );
  workloads.forEach((w, gi) => {
    const gx = left + gi * groupW + groupPad / 2;
    clients.forEach((c, ci) => {
      const s = summaries.find((x) => x.workload === w.id && x.client === c);
      const x = gx + ci * (barW + gap);
      if (s === undefined || !Number.isFinite(s.ratio.median)) return;
      const h = y(0) - y(s.ratio.median);
      parts.push(
        `<rect x="${x}" y="${y(s.ratio.median)}" width="${barW}" height="${Math.max(0, h)}" fill="${colorOf(c, clients)}"><title>${esc(`${w.id} ${c}: ×${s.ratio.median.toFixed(2)}`)}</title></rect>`,
      );
      if (s.ratio.n > 1) {
        const cx = x + barW / 2;
        parts.push(
          `<line x1="${cx}" x2="${cx}" y1="${y(s.ratio.min)}" y2="${y(s.ratio.max)}" stroke="#000"/>`,
        );
      }
      const labelAt = s.ratio.n > 1 ? Math.max(s.ratio.median, s.ratio.max) : s.ratio.median;
      parts.push(
        `<text x="${x + barW / 2}" y="${y(labelAt) - 3}" text-anchor="middle" font-size="9">${s.ratio.median.toFixed(2)}</text>`,
      );
      if (c === 'wredis' && w.target !== undefined) {
        parts.push(
          `<path d="M${x - 5} ${y(w.target) - 4} L${x} ${y(w.target)} L${x - 5} ${y(w.target) + 4} Z" fill="#6a3de8"/>`,
        );
      }
    });
    parts.push(
      `<text x="${gx + (groupW - groupPad) / 2}" y="${top + plotH + 16}" text-anchor="middle">${esc(w.id)}</text>`,
    );
  });
  clients.forEach((c, i) => {
    const lx = left + i * 130;
    const ly = top + plotH + 40;
    parts.push(
      `<rect x="${lx}" y="${ly}" width="12" height="12" fill="${colorOf(c, clients)}"/><text x="${lx + 16}" y="${ly + 10}">${esc(c)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
