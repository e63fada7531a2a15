// Following work that goes on on the server (an import, an evaluation, an export, pre-labels): one
// request at a time, the next only once the last has answered and a delay has passed, and none while
// the page is in a background tab. A section's reset stops it; an answer that comes after a stop or a
// newer start is not acted upon, because `current()` then says false.

// `read(current)` does one round and resolves to the delay before the next, in milliseconds, or to
// null when nothing is left to follow. A rejection ends the following too: `read` shows its own errors.
export function createPoller(read) {
  let ticket = 0;
  let timer = null;

  async function round(mine) {
    timer = null;
    if (document.hidden) {
      document.addEventListener("visibilitychange", () => { if (mine === ticket) round(mine); }, { once: true });
      return;
    }
    let delay = null;
    try {
      delay = await read(() => mine === ticket);
    } catch (err) {
      delay = null;
    }
    if (mine === ticket && delay !== null) timer = setTimeout(() => round(mine), delay);
  }

  return {
    start(delay = 0) {
      this.stop();
      const mine = ticket;
      timer = setTimeout(() => round(mine), delay);
    },
    stop() {
      ticket++;
      clearTimeout(timer);
      timer = null;
    },
  };
}
