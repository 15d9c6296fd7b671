// The supervisors' wall: one row per live call, redrawn from each summary the server sends; a call that
// ended stays, marked, until the page is reloaded.
(function () {
  const table = document.getElementById("wall");
  if (!table) return;
  const body = table.querySelector("tbody");
  const status = document.getElementById("wall-status");
  const empty = document.getElementById("wall-empty");
  const rows = new Map();
  const cell = (text, cls) => {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  };
  const mood = (m) => {
    if (!m) return "—";
    const label = m.sentiment === "neg" ? "negative" : m.sentiment === "pos" ? "positive" : "neutral";
    return m.agitated ? `${label}, agitated` : label;
  };
  const draw = (call) => {
    const row = rows.get(call.key) || document.createElement("tr");
    row.dataset.key = call.key;
    row.className = [
      call.alert_count ? "alerting" : "",
      call.mood && (call.mood.sentiment === "neg" || call.mood.agitated) ? "upset" : "",
      call.ended ? "ended" : "",
    ].join(" ").trim();
    const link = document.createElement("a");
    link.href = `/live/${encodeURIComponent(call.key)}`;
    link.textContent = call.key;
    const first = document.createElement("td");
    first.appendChild(link);
    if (call.ended) first.append(" (ended)");
    const alerts = document.createElement("td");
    alerts.className = "alerts";
    const list = document.createElement("ul");
    for (const a of call.alerts) {
      const li = document.createElement("li");
      li.className = `alert ${a.kind}`;
      li.textContent = a.reason;
      list.appendChild(li);
    }
    alerts.append(`${call.alert_count}`, list);
    row.replaceChildren(
      first,
      cell(call.agent_name || `agent ${call.agent_id}`),
      cell(mood(call.mood), "mood"),
      alerts,
      cell(`${call.ticked}/${call.elements}${call.closing_phase ? " · closing" : ""}`),
    );
    if (!rows.has(call.key)) {
      rows.set(call.key, row);
      body.appendChild(row);
    }
    empty.hidden = rows.size > 0;
  };
  const source = new EventSource(table.dataset.events);
  source.addEventListener("calls", (message) => {
    status.textContent = "Live";
    for (const call of JSON.parse(message.data)) draw(call);
    empty.hidden = rows.size > 0;
  });
  source.addEventListener("call", (message) => draw(JSON.parse(message.data)));
  source.addEventListener("error", () => { status.textContent = "Reconnecting…"; });
})();
