// The medal table, re-drawn from each medals_update push on the competition's room.
import { LiveFeed, showConnection } from "./feed.js";
import { medalsHtml } from "./render.js";

const config = JSON.parse(document.getElementById("lv-config").textContent);
const L = config.labels;
const node = document.getElementById("lv-medals");

function draw(rows) {
  node.innerHTML = medalsHtml(rows, config.merit, L);
}

const feed = new LiveFeed({
  onState: (state) => showConnection(state, L, {
    pill: document.getElementById("lv-conn"),
    stale: document.getElementById("lv-stale"),
    boards: [node],
  }),
});

feed.subscribe({ competition_id: config.competitionId }, config.seq, {
  onSnapshot(ack) {
    draw((ack.medals && ack.medals.rows) || []);
  },
  onEvent(event, data) {
    if (event === "medals_update") draw(data.rows || []);
  },
});
