/* Analyse a recorded video without uploading it: each frame is posed in this browser
   (device_pose.js) and only landmark messages go to the live socket, which answers with the
   engine's count and cues and, at the end, the set's report. The result has the shape of
   the upload path's (/api/analyse/{id}/result), so the page shows it the same way. */
"use strict";
window.HipAnalyseDevice = (function () {
  const FPS = 15;  // frames posed per second of video
  const SOCKET_TIMEOUT_MS = 30000;

  function socketUrl() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/live";
  }

  /* A JSON-message socket with one awaited answer at a time. */
  function openSocket() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(socketUrl());
      const waiting = [];
      const inbox = [];
      ws.onmessage = (ev) => {
        const msg = JSON.parse(ev.data);
        if (waiting.length) waiting.shift().resolve(msg); else inbox.push(msg);
      };
      ws.onclose = (ev) => {
        while (waiting.length) waiting.shift().reject(new Error(ev.reason || "the connection to hipcoach closed"));
      };
      ws.onerror = () => reject(new Error("could not reach hipcoach: is it still running?"));
      ws.onopen = () => resolve({
        send: (message) => ws.send(JSON.stringify(message)),
        next: () => inbox.length ? Promise.resolve(inbox.shift()) : new Promise((res, rej) => {
          const timer = setTimeout(() => rej(new Error("hipcoach did not answer")), SOCKET_TIMEOUT_MS);
          waiting.push({ resolve: (m) => { clearTimeout(timer); res(m); }, reject: (e) => { clearTimeout(timer); rej(e); } });
        }),
        close: () => ws.close(1000),
      });
    });
  }

  /* Skip messages that are not the answer (pongs, non-fatal errors carry their text). */
  async function answer(line, type) {
    for (;;) {
      const msg = await line.next();
      if (msg.type === type) return msg;
      if (msg.type === "error") throw new Error(msg.message);
    }
  }

  function loadVideo(file) {
    return new Promise((resolve, reject) => {
      const video = document.createElement("video");
      video.muted = true;
      video.preload = "auto";
      video.onloadeddata = () => resolve(video);
      video.onerror = () => reject(new Error("this browser cannot play the video"));
      video.src = URL.createObjectURL(file);
    });
  }

  function seek(video, t) {
    return new Promise((resolve) => {
      video.addEventListener("seeked", () => resolve(), { once: true });
      video.currentTime = t;
    });
  }

  /* options: {exercise, variation, side, model, onProgress(done, total), onModel(label)}. */
  async function run(file, options) {
    const estimator = await HipDevicePose.create(options.model || "full");
    if (options.onModel) options.onModel(estimator.label);
    const video = await loadVideo(file);
    const line = await openSocket();
    try {
      const start = { type: "start", exercise: options.exercise, side: options.side, mode: "landmarks",
        send_pose: false, image_size: [video.videoWidth, video.videoHeight] };
      if (options.variation) start.variation = options.variation;
      line.send(start);
      const ready = await answer(line, "ready");
      const total = Math.max(1, Math.floor(video.duration * FPS));
      const frames = [];
      for (let i = 0; i < total; i++) {
        const t = i / FPS;
        await seek(video, t);
        const { pose } = await estimator.estimateVideo(video, 1000 * t);
        line.send(HipDevicePose.toMessage(pose, t));
        const result = await answer(line, "result");
        frames.push({ t, pose: HipDevicePose.forDrawing(pose), reps: result.rep_count,
          cue: result.cue ? result.cue.message : null });
        if (options.onProgress) options.onProgress(i + 1, total);
      }
      line.send({ type: "end" });
      const end = await answer(line, "set_end");
      return { id: end.set_id, exercise: options.exercise, variation: options.variation || null,
        report: end.report, frames, skeleton: ready.skeleton, saved_to: null };
    } finally {
      line.close();
      estimator.close();
      URL.revokeObjectURL(video.src);
    }
  }

  return { run };
})();
