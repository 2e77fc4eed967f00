// A division's leaderboard on a phone or a laptop: the server draws the first view; from
// then on every board_update is applied here and the board re-drawn, without a reload.
import { LiveFeed, showConnection } from "./feed.js";
import { applyDelta, boardHtml } from "./render.js";

const config = JSON.parse(document.getElementById("lv-config").textContent);
const L = config.labels;
const node = document.getElementById("lv-board");
let board = config.board;

function draw() {
  node.innerHTML = boardHtml(board, L);
  node.dataset.phase = board.phase;
  window.__liveBoard = board; // for tests and the curious
}

const feed = new LiveFeed({
  onState: (state) => showConnection(state, L, {
    pill: document.getElementById("lv-conn"),
    stale: document.getElementById("lv-stale"),
    boards: [node],
  }),
});

feed.subscribe({ project_id: config.projectId }, config.seq, {
  onSnapshot(ack) {
    const fresh = (ack.boards || []).find((b) => b.division_id === config.divisionId);
    if (fresh) board = fresh;
    node.dataset.seq = String(ack.seq);
    draw();
  },
  onEvent(event, data) {
    if (event !== "board_update" || data.division_id !== config.divisionId) return;
    board = applyDelta(board, data);
    node.dataset.seq = String(data.seq);
    draw();
  },
});
