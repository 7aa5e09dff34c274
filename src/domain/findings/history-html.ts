/**
 * The findings history as one static HTML page: a timeline (inline SVG) with a row per
 * signature and a column per nightly run, a mark where the signature appeared and the release
 * candidate where it stopped appearing, then the same as a table. No script, no stylesheet or
 * font from elsewhere: the file opens from disk with no server and no network. Every text from
 * the cycles is escaped.
 */
import type { FindingsHistory, SignatureHistory } from './history';
import { xmlEscape } from './render-junit';

const LABEL_W = 380;
// Wide enough for the longest status, "absent from the last NNNN run(s)", at 12 px.
const STATUS_W = 260;
const ROW_H = 26;
const HEAD_H = 110;
/** Width of a character of a bold 12px label, about. */
const CHAR_W = 7.5;
/** The chart stays about this wide: many runs get narrower columns. */
const RUNS_W = 960;

const day = (iso: string) => iso.slice(0, 10);
const short = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** A run's label: its day (`11-28`), or its time when the run before it was on the same day. */
function runLabel(h: FindingsHistory, i: number): string {
  const run = h.runs[i] as FindingsHistory['runs'][number];
  const before = h.runs[i - 1];
  return before && day(before.date) === day(run.date) ? run.date.slice(11, 16) : day(run.date).slice(5);
}

function sightingText(s: SignatureHistory['firstSeen']): string {
  return `${s.rc}, ${day(s.date)}, ${s.clouds.join(' ')}, ${s.cycleId}`;
}

function timeline(h: FindingsHistory): string {
  const n = Math.max(h.runs.length, 1);
  const colW = Math.max(3, Math.min(36, RUNS_W / n));
  const r = Math.max(1.5, Math.min(7, colW / 2.6));
  const width = Math.ceil(LABEL_W + n * colW + STATUS_W);
  const height = HEAD_H + h.signatures.length * ROW_H + 12;
  const x = (i: number) => LABEL_W + i * colW + colW / 2;
  const out: string[] = [];
  out.push(`<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="findings per nightly run">`);
  // Release candidates: a label where the runs of a new rc begin, and a rule before it. A label
  // that would run into the one before it goes a line lower (three lines, then the first again).
  const lineEnds = [0, 0, 0];
  h.runs.forEach((run, i) => {
    if (i > 0 && h.runs[i - 1]?.rc === run.rc) return;
    const lx = LABEL_W + i * colW;
    const free = lineEnds.findIndex((end) => end <= lx);
    const line = free < 0 ? lineEnds.indexOf(Math.min(...lineEnds)) : free;
    lineEnds[line] = lx + CHAR_W * run.rc.length + 10;
    out.push(`<line class="rc-rule" x1="${lx}" y1="${6 + line * 14}" x2="${lx}" y2="${height - 4}"/>`);
    out.push(`<text class="rc-label" data-rc="${xmlEscape(run.rc)}" x="${lx + 3}" y="${16 + line * 14}">${xmlEscape(run.rc)}</text>`);
  });
  // Runs: their date under the rc band, and a tooltip with the cycle id.
  h.runs.forEach((run, i) => {
    out.push(
      `<g class="run" data-run="${i}" data-cycle="${xmlEscape(run.cycleId)}"><title>${xmlEscape(`${run.cycleId}\n${run.rc}, ${run.date}\n${run.clouds.join(', ')}`)}</title>` +
        (colW >= 14 ? `<text class="run-date" transform="translate(${x(i) + 3},${HEAD_H - 8}) rotate(-60)">${xmlEscape(runLabel(h, i))}</text>` : '') +
        `</g>`,
    );
  });
  h.signatures.forEach((s, row) => {
    const y = HEAD_H + row * ROW_H;
    const cy = y + ROW_H / 2;
    out.push(`<g class="row" data-signature="${xmlEscape(s.signature)}" data-stopped-in="${xmlEscape(s.stoppedIn ?? '')}">`);
    out.push(`<rect class="band${row % 2 ? ' odd' : ''}" x="0" y="${y}" width="${width}" height="${ROW_H}"/>`);
    out.push(`<text class="label" x="6" y="${cy + 4}"><title>${xmlEscape(s.signature)}</title>${xmlEscape(short(s.title, 52))}</text>`);
    out.push(`<line class="lane" x1="${x(s.runIndexes[0] as number)}" y1="${cy}" x2="${x(s.runIndexes[s.runIndexes.length - 1] as number)}" y2="${cy}"/>`);
    for (const i of s.runIndexes) {
      const run = h.runs[i];
      if (!run) continue;
      out.push(`<circle class="mark" data-run="${i}" data-cycle="${xmlEscape(run.cycleId)}" data-rc="${xmlEscape(run.rc)}" cx="${x(i)}" cy="${cy}" r="${r}"><title>${xmlEscape(`${run.rc} ${run.date} ${run.cycleId}`)}</title></circle>`);
    }
    if (s.stoppedAtRun !== undefined) {
      const sx = x(s.stoppedAtRun);
      out.push(`<path class="stop" data-run="${s.stoppedAtRun}" d="M${sx - r} ${cy - r}L${sx + r} ${cy + r}M${sx - r} ${cy + r}L${sx + r} ${cy - r}"/>`);
    }
    const status = s.stoppedIn ? `stopped in ${s.stoppedIn}` : s.absentFor ? `absent from the last ${s.absentFor} run(s)` : 'still appearing';
    out.push(`<text class="status${s.stoppedIn ? ' stopped' : ''}" x="${LABEL_W + n * colW + 10}" y="${cy + 4}">${xmlEscape(status)}</text>`);
    out.push(`</g>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

function table(h: FindingsHistory): string {
  const rows = h.signatures.map(
    (s) =>
      `<tr data-signature="${xmlEscape(s.signature)}"><td><code>${xmlEscape(s.signature)}</code>${s.source ? `<br><small>${xmlEscape(s.source)}</small>` : ''}</td>` +
      `<td>${xmlEscape(sightingText(s.firstSeen))}</td><td>${xmlEscape(sightingText(s.lastSeen))}</td>` +
      `<td>${s.cycles.length}</td><td>${xmlEscape(s.stoppedIn ?? '')}</td></tr>`,
  );
  return `<table><thead><tr><th>signature</th><th>first seen (rc, date, cloud, cycle)</th><th>last seen</th><th>runs</th><th>stopped in</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

const STYLE = `
body { font: 14px/1.4 sans-serif; margin: 24px; color: #1d2330; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; }
p.sub { margin: 0 0 16px; color: #5a6275; }
.chart { overflow-x: auto; border: 1px solid #d5d9e2; margin-bottom: 24px; }
svg text { font: 12px sans-serif; fill: #1d2330; }
.rc-label { font-weight: bold; }
.rc-rule { stroke: #9aa3b5; stroke-dasharray: 3 3; }
.run-date { font-size: 10px; fill: #5a6275; }
.band { fill: #ffffff; }
.band.odd { fill: #f1f3f8; }
.lane { stroke: #9db4e8; stroke-width: 2; }
.mark { fill: #2456c8; }
.stop { stroke: #c8242f; stroke-width: 3; }
.status { fill: #5a6275; }
.status.stopped { fill: #c8242f; font-weight: bold; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d5d9e2; padding: 4px 8px; text-align: left; vertical-align: top; }
`;

/** The page; `title` defaults to a line naming the runs and release candidates. */
export function renderHistoryHtml(h: FindingsHistory, opts: { title?: string } = {}): string {
  const title = opts.title ?? 'rcdebug findings history';
  const first = h.runs[0];
  const last = h.runs[h.runs.length - 1];
  const span = first && last ? `${h.runs.length} run(s) from ${day(first.date)} to ${day(last.date)}, release candidates ${h.rcs.join(', ')}` : 'no closed cycles with findings to read';
  const skipped = h.withoutHarvest ? `; ${h.withoutHarvest} cloud cycle(s) ended without log-harvest and are left out` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${xmlEscape(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${xmlEscape(title)}</h1>
<p class="sub">${xmlEscape(`${span}; ${h.signatures.length} signature(s)${skipped}`)}</p>
<div class="chart">
${timeline(h)}
</div>
${table(h)}
</body>
</html>
`;
}
