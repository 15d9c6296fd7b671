// The call page's waveform player (vendored wavesurfer.js): both legs drawn from the outline the server
// computed (no second download, no decoding in the browser), on the page's own <audio> element, with a
// time axis and every span a verdict rests on marked and named. Clicking a mark plays from its start.
(function () {
  const box = document.getElementById("waveform");
  const audio = document.getElementById("audio");
  if (!box || !audio || !window.WaveSurfer || !WaveSurfer.Regions || !WaveSurfer.Timeline) return;
  const peaks = JSON.parse(box.dataset.peaks);
  const marks = JSON.parse(box.dataset.markers);
  const legs = [
    { waveColor: "#1d4ea8", progressColor: "#0f2c63" }, // first channel (see the caption for whose)
    { waveColor: "#b8762a", progressColor: "#6b3c00" },
  ];
  const fills = {
    evidence: "rgba(26, 127, 55, 0.28)",
    violation: "rgba(200, 30, 30, 0.30)",
    dead_air: "rgba(90, 97, 112, 0.25)",
  };
  const clock = (s) => Math.floor(s / 60) + ":" + String(Math.floor(s % 60)).padStart(2, "0");
  const regions = WaveSurfer.Regions.create();
  const ws = WaveSurfer.create({
    container: box,
    media: audio,
    peaks: peaks,
    duration: parseFloat(box.dataset.duration),
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
        content: m.text,
        drag: false,
        resize: false,
      });
    }
    box.dataset.marked = String(regions.getRegions().length);
  });
  regions.on("region-clicked", (region, event) => {
    event.stopPropagation();
    audio.currentTime = region.start;
    audio.play().catch(() => {});
  });
})();
