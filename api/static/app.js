// Click a word (or an evidence link) to hear the call from there; the word being played is highlighted.
(function () {
  const audio = document.getElementById("audio");
  if (!audio) return;
  const words = Array.from(document.querySelectorAll(".w[data-t]"));
  function seek(t) {
    audio.currentTime = t;
    audio.play().catch(() => {});
  }
  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-t]");
    if (!target) return;
    event.preventDefault();
    seek(parseFloat(target.dataset.t));
  });
  audio.addEventListener("timeupdate", () => {
    const now = audio.currentTime;
    let current = null;
    for (const w of words) {
      if (parseFloat(w.dataset.t) <= now) current = w; else break;
    }
    words.forEach((w) => w.classList.toggle("playing", w === current));
  });
})();
