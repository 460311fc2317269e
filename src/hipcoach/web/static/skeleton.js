/* Draw a pose (list of [x, y, visibility] in normalised image coordinates) on a canvas.
   The bones (index pairs) come from the server, so the landmark order lives in one place. */
"use strict";
window.HipSkeleton = (function () {
  const MIN_VISIBILITY = 0.3;

  function visible(p) {
    return p && p[0] >= 0 && p[1] >= 0 && p[2] >= MIN_VISIBILITY;
  }

  /* Returns the number of bones drawn. */
  function draw(canvas, pose, edges, colour) {
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!pose || !edges) return 0;
    const w = canvas.width, h = canvas.height;
    const scale = Math.max(2, Math.round(Math.min(w, h) / 160));
    ctx.lineWidth = scale * 1.5;
    ctx.lineCap = "round";
    ctx.strokeStyle = colour || "#35d0a0";
    ctx.fillStyle = "#ffffff";
    let drawn = 0;
    for (const [a, b] of edges) {
      const p = pose[a], q = pose[b];
      if (!visible(p) || !visible(q)) continue;
      ctx.beginPath();
      ctx.moveTo(p[0] * w, p[1] * h);
      ctx.lineTo(q[0] * w, q[1] * h);
      ctx.stroke();
      drawn += 1;
    }
    const used = new Set(edges.flat());
    for (const i of used) {
      const p = pose[i];
      if (!visible(p)) continue;
      ctx.beginPath();
      ctx.arc(p[0] * w, p[1] * h, scale * 1.6, 0, 2 * Math.PI);
      ctx.fill();
    }
    return drawn;
  }

  /* The frame whose time is closest at or before t (frames sorted by t). */
  function frameAt(frames, t) {
    let lo = 0, hi = frames.length - 1, best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (frames[mid].t <= t + 1e-3) { best = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return best >= 0 ? frames[best] : null;
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function formatClock(seconds) {
    const s = Math.max(0, Math.round(seconds));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  return { draw, frameAt, csrfToken, formatClock };
})();
