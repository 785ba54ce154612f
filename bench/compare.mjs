// A benchmark results file (bench/run.mjs --json) against an earlier one: every numeric
// cell of every table, with its change. Tables match by script and their order in it, rows
// by their first column; what has no match is shown without a change.

/** A cell's number ("1.23", "4,567", "0.34x"), or undefined for text. */
function numberOf(cell) {
  if (typeof cell === 'number') return cell;
  if (typeof cell !== 'string') return undefined;
  const m = /^\s*(-?[\d,]*\.?\d+)\s*x?\s*$/.exec(cell);
  return m ? Number(m[1].replaceAll(',', '')) : undefined;
}

function changeText(now, before) {
  if (before === undefined || before === 0) return '';
  const pct = ((now - before) / Math.abs(before)) * 100;
  return ` (${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%)`;
}

/** Tables like the new ones, each numeric cell "new (+x%)" against the old table's. */
export function compareResults(old, now) {
  const key = (t, i, all) => `${t.script}#${all.slice(0, i).filter((u) => u.script === t.script).length}`;
  const before = new Map(old.tables.map((t, i, all) => [key(t, i, all), t]));
  return now.tables.map((t, i, all) => {
    const o = before.get(key(t, i, all));
    const first = t.columns[0];
    const oldRows = new Map((o?.rows ?? []).map((r) => [String(r[first]), r]));
    const rows = t.rows.map((r) => {
      const was = oldRows.get(String(r[first]));
      const out = { [first]: r[first] };
      for (const c of t.columns.slice(1)) {
        const n = numberOf(r[c]);
        out[c] = n === undefined || was === undefined ? String(r[c] ?? '') : `${r[c]}${changeText(n, numberOf(was[c]))}`;
      }
      return out;
    });
    return { title: `${t.title} — against ${o ? 'the old run' : 'nothing (new table)'}`, columns: t.columns, rows };
  });
}
