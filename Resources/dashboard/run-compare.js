// Comparing the selected run with a second one of the project: the chosen run is read once
// (GET …/runs/{run_id}) and chart.js draws its curves dashed on the same axes, named in the legend.

import { $, showMessage } from "./quarry-ui.js";
import { drawChart } from "./chart.js";
import { experimentName } from "./experiment-form.js";
import { runLabel } from "./format.js";
import { api, seg } from "./session.js";
import { state } from "./state.js";

let compared = null;   // {run, points: Map epoch -> metrics} of the run drawn beside the selected one
let asked = 0;         // bumped per choice, so a late answer of an earlier choice is dropped

export const comparedRun = () => (compared && compared.run.run_id !== state.runId ? compared : null);

export function bindCompare() {
  $("compare-run").addEventListener("change", (e) => chooseRun(e.target.value));
}

// The choices: every run of the project but the selected one, kept when the list is read again or a
// run changes (its status, its best figure): then only the texts change, so an open list stays open.
export function fillCompareChoices() {
  const select = $("compare-run");
  const keep = compared ? compared.run.run_id : "";
  const others = state.runs.filter((r) => r.run_id !== state.runId);
  const label = (r) => runLabel(r, experimentName(r.experiment_id) ?? undefined);
  const values = [...select.options].slice(1).map((o) => o.value);
  if (others.length && values.length === others.length && others.every((r, i) => r.run_id === values[i])) {
    others.forEach((r, i) => { select.options[i + 1].text = label(r); });
    return;
  }
  select.replaceChildren(new Option(others.length ? "No other run" : "No other run to compare", ""),
                         ...others.map((r) => new Option(label(r), r.run_id)));
  select.disabled = others.length === 0;
  if (keep && others.some((r) => r.run_id === keep)) select.value = keep;
  else if (compared) { compared = null; showError(""); }
}

async function chooseRun(runId) {
  const ticket = ++asked;
  showError("");
  if (!runId) { compared = null; drawChart(); return; }
  const pid = state.projectId;
  $("compare-run").setAttribute("aria-busy", "true");
  try {
    const run = await api("/api/training/" + seg(pid) + "/runs/" + seg(runId));
    if (ticket !== asked || pid !== state.projectId) return;
    const points = new Map();
    for (const m of run.metrics || []) points.set(m.epoch, m);
    compared = { run, points };
  } catch (err) {
    if (ticket !== asked || err.status === 401) return;
    compared = null;
    showError(err.message);
  } finally {
    if (ticket === asked) $("compare-run").removeAttribute("aria-busy");
  }
  drawChart();
}

const showError = (message) => showMessage($("compare-error"), message);
