// The dashboard's settings and its one mutable state object.


export const PAGE_SIZE = 48;
export const SEARCH_DELAY_MS = 300;

// All mutable state lives here, so it is easy to see what a project switch or sign-out resets.
export const state = {
  generation: 0,        // bumped by sign-in and sign-out, so late answers of an old session are dropped
  projects: [],
  projectId: null,      // also kept in the address (#project=…), so a reload opens the same project
  summaries: new Map(), // project id -> {stats, runs, error}: what the project list shows beside each name
  grid: { page: 1, total: 0, filterClass: "", search: "", seq: 0 },
  searchTimer: null,
  runs: [],
  runId: null,
  points: new Map(),    // epoch -> metrics of the selected run (a map, so replays do not duplicate)
  stream: null,         // EventSource of the selected run
  streamBroken: false,  // set on a dropped connection, so the reconnect re-reads missed epochs
  evaluations: [],
  evalId: null,
};
