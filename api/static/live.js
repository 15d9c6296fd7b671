// The live assist panel: each server-sent update adds its turn and suggestions and redraws the checklist.
(function () {
  const root = document.getElementById("live");
  if (!root) return;
  const turns = document.getElementById("turns");
  const suggestions = document.getElementById("suggestions");
  const checklist = document.getElementById("checklist");
  const status = document.getElementById("status");
  const item = (text, cls) => {
    const li = document.createElement("li");
    li.textContent = text;
    if (cls) li.className = cls;
    return li;
  };
  const source = new EventSource(root.dataset.events);
  source.addEventListener("open", () => { status.textContent = "Live"; });
  source.addEventListener("update", (message) => {
    const update = JSON.parse(message.data);
    const turn = update.turn;
    if (turn) {
      let mood = "";
      if (turn.speaker === "caller" && turn.sentiment) {
        mood = ` (${turn.sentiment === "neg" ? "negative" : turn.sentiment === "pos" ? "positive" : "neutral"}`
          + `${turn.agitated ? ", agitated" : ""})`;
      }
      turns.appendChild(item(`${turn.speaker}: ${turn.text}${mood}`, `turn ${turn.speaker}`));
    }
    for (const s of update.suggestions) {
      const li = item(`${s.say} — ${s.reason}`, `suggestion ${s.kind}`);
      suggestions.prepend(li);
    }
    checklist.replaceChildren(...update.checklist.map(
      (e) => item(`${e.ticked ? "✓" : "✗"} ${e.check}: ${e.element.replace("_", " ")}`, e.ticked ? "ticked" : "open")
    ));
    if (update.final) {
      document.getElementById("verdicts").textContent = Object.entries(update.final)
        .map(([name, v]) => `${name}: ${v.state}`).join(" · ");
    }
  });
  source.addEventListener("end", () => { status.textContent = "Call ended"; source.close(); });
  source.addEventListener("error", () => { if (status.textContent !== "Call ended") status.textContent = "Reconnecting…"; });
})();
