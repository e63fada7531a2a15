// The workbench's constants and its one mutable state object, with the lookups every other module
// makes on it: the open image, its labels, the task's classes.

export const TYPES = { tag: "tag", box: "bounding_box", polygon: "polygon", point: "point" };
export const SAVE_DELAY_MS = 800;
export const HISTORY_LIMIT = 200;
export const HANDLE_PX = 7;      // how close (screen px) the pointer must be to grab a vertex
export const MIN_BOX_PX = 3;     // a drag shorter than this is a click, not a box
export const MIN_SCALE = 0.01;
export const MAX_SCALE = 64;

// All mutable state lives here, so it is easy to see what a task switch must reset.
export const state = {
  role: "annotator",        // which queue tab is showing
  queue: [],                // task summaries of that queue
  task: null,               // the open task as GET /worker/tasks/{id} returned it
  readOnly: false,          // reviewer view: labels are shown, never edited
  imageIndex: 0,
  images: new Map(),        // image id -> HTMLImageElement (loading or loaded)
  docs: new Map(),          // image id -> array of labels, the working annotation state
  undo: [],                 // snapshots (JSON strings) of docs, oldest first
  redo: [],
  tool: "select",
  currentClass: null,       // class name
  selected: -1,             // index of the selected label on the current image
  selectedVertex: null,     // {label, vertex}: the polygon vertex last grabbed
  hover: null,              // {label, vertex}: the polygon vertex under the pointer
  drawing: null,            // shape in progress: {kind: "box"|"polygon", cls, ...}
  drag: null,               // pointer drag in progress: pan, box or handle
  cursor: null,             // last pointer position in image coordinates
  spaceDown: false,
  view: { scale: 1, ox: 0, oy: 0, fitted: true },
  dpr: 1,
  saveTimer: null,
  saveChain: Promise.resolve(),
  openSeq: 0,               // drops answers to task loads the user has already moved on from
  generation: 0,            // bumped by each sign-in, so a late 401 from an earlier session is ignored
  busy: false,
  threshold: 0,             // model suggestions under this confidence are hidden, and left out when saving
};

export function currentImage() {
  return state.task && state.task.images ? state.task.images[state.imageIndex] || null : null;
}

export function currentLabels() {
  const image = currentImage();
  return image ? state.docs.get(image.id) || [] : [];
}

// A model's suggestion (a label with its confidence) the confidence slider hides.
export function isHidden(label) {
  return label.confidence != null && label.confidence < state.threshold;
}

export function classes() { return state.task && state.task.classes ? state.task.classes : []; }

export function classByName(name) { return classes().find((c) => c.name === name) || null; }
