// The supervisors' wall: one row per live call, redrawn from each summary the server sends; a call that
// ended leaves the wall. `calls` replaces the whole list (sent first, and again when the user's team
// changed). Each stored alert is added to the open alerts with a form to acknowledge it.
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
    if (call.ended) {
      const gone = rows.get(call.key);
      if (gone) gone.remove();
      rows.delete(call.key);
      empty.hidden = rows.size > 0;
      return;
    }
    const row = rows.get(call.key) || document.createElement("tr");
    row.dataset.key = call.key;
    row.className = [
      call.alert_count ? "alerting" : "",
      call.mood && (call.mood.sentiment === "neg" || call.mood.agitated) ? "upset" : "",
    ].join(" ").trim();
    const link = document.createElement("a");
    link.href = `/live/${encodeURIComponent(call.key)}`;
    link.textContent = call.key;
    const first = document.createElement("td");
    first.appendChild(link);
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
    for (const row of rows.values()) row.remove();
    rows.clear();
    for (const call of JSON.parse(message.data)) draw(call);
    empty.hidden = rows.size > 0;
  });
  const alerts = document.getElementById("alerts");
  const alertsEmpty = document.getElementById("alerts-empty");
  source.addEventListener("alert", (message) => {
    const a = JSON.parse(message.data);
    if (alerts.querySelector(`tr[data-alert="${a.id}"]`)) return;
    const row = document.createElement("tr");
    row.dataset.alert = a.id;
    row.className = `alert ${a.kind}`;
    const when = document.createElement("td");
    const time = document.createElement("time");
    time.dateTime = a.raised_at;
    time.textContent = new Date(a.raised_at).toTimeString().slice(0, 8);
    when.appendChild(time);
    const named = rows.get(a.call_key);
    const agent = named ? named.children[1].textContent : `agent ${a.agent_id}`;
    const form = document.createElement("form");
    form.method = "post";
    form.action = `/live/alerts/${a.id}/acknowledge`;
    form.className = "inline";
    const csrf = document.createElement("input");
    csrf.type = "hidden";
    csrf.name = "csrf";
    csrf.value = alerts.dataset.csrf;
    const button = document.createElement("button");
    button.textContent = "Acknowledge";
    form.append(csrf, button);
    const act = document.createElement("td");
    act.appendChild(form);
    row.replaceChildren(when, cell(a.call_key), cell(agent), cell(a.reason), cell(a.evidence), act);
    alerts.querySelector("tbody").prepend(row);
    alertsEmpty.hidden = true;
  });
  source.addEventListener("call", (message) => draw(JSON.parse(message.data)));
  source.addEventListener("error", () => { status.textContent = "Reconnecting…"; });
})();
