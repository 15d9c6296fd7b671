// The call page's waveform player (vendored wavesurfer.js): both legs drawn from the outline the server
// computed (no second download, no decoding in the browser), on the page's own <audio> element, with a
// time axis and every span a verdict rests on marked. Each mark is named by a button in a lane above the
// waveform, at the mark's start: labels of marks close together go to the next row down instead of over
// each other (re-laid out when the width changes), and every label is a button that plays from its mark,
// from the keyboard too. Clicking a mark itself plays from its start as well.
(function () {
  const box = document.getElementById("waveform");
  const audio = document.getElementById("audio");
  if (!box || !audio || !window.WaveSurfer || !WaveSurfer.Regions || !WaveSurfer.Timeline) return;
  const peaks = JSON.parse(box.dataset.peaks);
  const marks = JSON.parse(box.dataset.markers);
  const duration = parseFloat(box.dataset.duration);
  const legs = [
    { waveColor: "#1d4ea8", progressColor: "#0f2c63" }, // first channel (see the caption for whose)
    { waveColor: "#b8762a", progressColor: "#6b3c00" },
  ];
  const fills = {
    evidence: "rgba(26, 127, 55, 0.28)",
    violation: "rgba(200, 30, 30, 0.30)",
    dead_air: "rgba(90, 97, 112, 0.25)",
  };
  const GAP_PX = 6; // between two labels on one row
  const clock = (s) => Math.floor(s / 60) + ":" + String(Math.floor(s % 60)).padStart(2, "0");
  const play = (start) => {
    audio.currentTime = start;
    audio.play().catch(() => {});
  };

  const lane = document.createElement("div");
  lane.id = "wave-labels";
  lane.className = "wave-labels";
  lane.setAttribute("role", "group");
  lane.setAttribute("aria-label", "Marks on the waveform: play from one");
  box.before(lane);
  const labels = marks.map((m) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "mark " + (fills[m.kind] ? m.kind : "evidence");
    b.textContent = m.text;
    b.setAttribute("aria-label", "Play from " + clock(m.start) + ": " + m.text);
    b.addEventListener("click", () => play(m.start));
    lane.appendChild(b);
    return b;
  });

  // Rows, greedily: each label (left to right, at its mark's start, moved left where it would run past the
  // end) goes on the first row whose last label ends before it starts.
  function layout() {
    const width = lane.getBoundingClientRect().width; // fractional: a name must end inside the lane
    if (!width) return;
    const placed = labels.map((b, i) => {
      const w = b.getBoundingClientRect().width;
      const x = Math.max(0, Math.min((marks[i].start / duration) * width, width - w));
      return { b, x, w };
    });
    placed.sort((a, c) => a.x - c.x);
    const rowEnds = [];
    const rowHeight = labels.length ? labels[0].offsetHeight + 2 : 0;
    for (const p of placed) {
      let row = rowEnds.findIndex((end) => end + GAP_PX <= p.x);
      if (row < 0) row = rowEnds.push(0) - 1;
      rowEnds[row] = p.x + p.w;
      p.b.style.left = p.x + "px";
      p.b.style.top = row * rowHeight + "px";
    }
    lane.style.height = rowEnds.length * rowHeight + "px";
    lane.dataset.rows = String(rowEnds.length);
  }
  new ResizeObserver(layout).observe(lane);
  layout();

  const regions = WaveSurfer.Regions.create();
  const ws = WaveSurfer.create({
    container: box,
    media: audio,
    peaks: peaks,
    duration: duration,
    height: 56,
    splitChannels: peaks.map((_, i) => Object.assign({ overlay: false }, legs[i % 2])),
    cursorColor: "#1d2330",
    cspNonce: box.dataset.nonce,
    plugins: [
      regions,
      WaveSurfer.Timeline.create({ formatTimeCallback: clock, style: { color: "#1d2330", fontSize: "11px" } }),
    ],
  });
  ws.once("ready", () => {
    for (const m of marks) {
      regions.addRegion({
        start: m.start,
        end: Math.max(m.end, m.start + 0.15), // a one-word span stays visible
        color: fills[m.kind] || fills.evidence,
        drag: false,
        resize: false,
      });
    }
    box.dataset.marked = String(regions.getRegions().length);
  });
  regions.on("region-clicked", (region, event) => {
    event.stopPropagation();
    play(region.start);
  });
})();
