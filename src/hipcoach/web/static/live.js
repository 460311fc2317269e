/* The live coach page: camera -> landmarks found on this device (live_device.js), or JPEG
   frames, over a WebSocket -> skeleton, reps, one cue.
   Backpressure: at most one frame is in flight; the next is grabbed only when the answer
   to the previous one has arrived (and never faster than 30 per second). */
"use strict";
(function () {
  const cfg = JSON.parse(document.getElementById("live-config").textContent);
  const $ = (id) => document.getElementById(id);
  const video = $("video"), overlay = $("overlay"), root = $("live");
  const grab = document.createElement("canvas");
  const MAX_WIDTH = 640, MIN_INTERVAL_MS = 1000 / 30, JPEG_QUALITY = 0.7, STUCK_MS = 3000;
  const FRAME_TAG = [72, 67, 70, 49]; // "HCF1"

  const CAMERA_HELP = {
    NotAllowedError: "The camera was refused, so the live coach cannot see you. Allow the camera for this page (the camera icon in the address bar), then press \"Turn on the camera\" again. The picture never leaves this computer.",
    SecurityError: "This browser only allows the camera on the computer's own address (http://127.0.0.1:8000) or over https. Open hipcoach at that address, or ask its owner to serve it over https.",
    NotFoundError: "No camera was found. Connect one, or analyse a recorded video instead (\"Analyse a video\" above).",
    NotReadableError: "The camera is busy or failed to start. Close other apps that use it, such as video calls, and try again.",
    OverconstrainedError: "This camera cannot give a usable picture. Try another camera.",
    AbortError: "The camera stopped while starting. Try again.",
  };

  const st = {
    stream: null, ws: null, edges: null, setId: null, running: false, inFlight: false,
    sentAt: 0, setStart: 0, pumpTimer: null, reps: [], cues: {}, report: null,
    interrupted: false, isolationAsked: false, restEnd: null, skeletonFrames: 0, cuesShown: 0,
    cueTimer: null, saved: false, endedEarly: false,
  };

  function setState(s) { root.dataset.state = s; document.body.dataset.liveState = s; }
  function status(text) { $("stage-status").textContent = text; }
  function notice(text) { const el = $("line-notice"); el.textContent = text; el.hidden = !text; }

  /* ---- camera ---- */
  async function startCamera() {
    $("camera-error").hidden = true;
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      explainCamera({ name: "SecurityError" });
      return;
    }
    try {
      st.stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30, max: 30 } },
        audio: false,
      });
    } catch (err) {
      explainCamera(err);
      return;
    }
    video.srcObject = st.stream;
    try { await video.play(); } catch (e) { /* autoplay of a muted stream is allowed */ }
    $("camera-button").disabled = true;
    $("start-button").disabled = false;
    status("Camera on. Get into position, then start the set.");
    setState("ready");
    HipLiveDevice.cameraOn();
  }

  function explainCamera(err) {
    const el = $("camera-error");
    el.textContent = CAMERA_HELP[err && err.name] || "The camera could not be started (" + ((err && err.name) || "unknown reason") + "). Check that this browser may use the camera, then try again.";
    el.hidden = false;
    status("Camera off");
    setState("no-camera");
  }

  /* ---- the socket ---- */
  function socketUrl() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/live";
  }

  async function startSet() {
    if (!st.stream) return;
    $("start-button").disabled = true;
    status("Loading the pose model…");
    await HipLiveDevice.load();
    st.mode = HipLiveDevice.active() ? "landmarks" : "frames";
    HipLiveDevice.setRunning(true);
    Object.assign(st, { reps: [], cues: {}, report: null, interrupted: false, isolationAsked: false,
      setId: null, inFlight: false, saved: false, endedEarly: false });
    $("rep-count").textContent = "0";
    document.body.dataset.repCount = "0";
    $("after-set").hidden = true;
    notice("");
    stopRest();
    const ws = new WebSocket(socketUrl());
    ws.binaryType = "arraybuffer";
    st.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify(Object.assign({
      type: "start", exercise: cfg.id, variation: cfg.variation, side: cfg.side,
    }, HipLiveDevice.startFields())));
    ws.onmessage = (ev) => { if (typeof ev.data === "string") onMessage(JSON.parse(ev.data)); };
    ws.onclose = onClose;
    $("start-button").disabled = true;
    $("end-button").disabled = false;
    status("Starting the coach…");
    setState("starting");
  }

  function onMessage(msg) {
    if (msg.type === "ready") {
      st.edges = msg.skeleton;
      st.setId = msg.set_id;
      st.running = true;
      st.setStart = performance.now();
      status("Coaching: start when you are ready.");
      setState("running");
      pump();
    } else if (msg.type === "result") {
      onResult(msg);
    } else if (msg.type === "set_end") {
      st.report = msg.report;
      st.interrupted = msg.interrupted;
      status("Set finished: " + msg.report.rep_count + " rep(s). " + (msg.report.notes || []).join(" "));
      for (const e of msg.events) onEvent(e);
    } else if (msg.type === "error") {
      if (msg.fatal) notice(msg.message);
      st.inFlight = false;
      pump();
    }
  }

  function onResult(msg) {
    st.inFlight = false;
    if (st.mode === "frames") {  // in landmark mode the skeleton is drawn as the pose is found
      if (video.videoWidth && overlay.width !== video.videoWidth) {
        overlay.width = video.videoWidth;
        overlay.height = video.videoHeight;
      }
      countSkeleton(HipSkeleton.draw(overlay, msg.pose, st.edges));
      HipLiveDevice.serverResult();
    }
    $("rep-count").textContent = String(msg.rep_count);
    document.body.dataset.repCount = String(msg.rep_count);
    for (const e of msg.events) onEvent(e);
    if (msg.cue) showCue(msg.cue);
    status(msg.person ? describeState(msg.state) : "I can't see you yet.");
    pump();
  }

  function countSkeleton(drawn) {
    if (drawn <= 0) return;
    st.skeletonFrames += 1;
    document.body.dataset.skeletonFrames = String(st.skeletonFrames);
  }

  function describeState(state) {
    return {
      waiting: "Looking for you…", settling: "Get settled; I'm taking your start position.",
      ready: "Ready: go when you like.", moving: "Moving", paused: "I can't see the joints I need.",
      finished: "Set finished",
    }[state] || state;
  }

  function onEvent(e) {
    if (e.type === "rep" && !st.reps.some((r) => r.index === e.rep.index)) st.reps.push(e.rep);
    if (e.type === "cue") {
      st.cues[e.cue] = e.message;
      if (e.cue === "isolation_lost") proposeEnd();
    }
  }

  function onClose(ev) {
    const wasRunning = st.running;
    st.running = false;
    st.ws = null;
    clearTimeout(st.pumpTimer);
    HipLiveDevice.setRunning(false);
    $("start-button").disabled = !st.stream;
    $("end-button").disabled = true;
    if (st.setId && !st.report) {
      st.interrupted = true;
      notice("The connection to the coach closed. Your " + st.reps.length + " finished rep(s) are kept.");
    } else if (!st.setId) {
      notice(ev.reason || "The coach could not start. Is hipcoach still running?");
      setState("ready");
      return;
    }
    if (wasRunning || st.report) showAfterSet();
  }

  /* ---- frames, one in flight ---- */
  function pump() {
    clearTimeout(st.pumpTimer);
    if (!st.running || !st.ws || st.ws.readyState !== WebSocket.OPEN) return;
    const now = performance.now();
    if (st.inFlight && now - st.sentAt < STUCK_MS) return;
    const wait = MIN_INTERVAL_MS - (now - st.sentAt);
    if (wait > 0 || st.ws.bufferedAmount > 0 || video.readyState < 2 || !video.videoWidth) {
      st.pumpTimer = setTimeout(pump, Math.max(wait, 5));
      return;
    }
    if (st.mode === "landmarks") sendLandmarks(); else sendFrame();
  }

  /* Device mode: the pose is found here; only its landmark message goes to the server. */
  async function sendLandmarks() {
    st.inFlight = true;
    st.sentAt = performance.now();
    let found;
    try {
      found = await HipLiveDevice.next(st.setStart, st.edges);
    } catch (err) {
      notice("Pose on this device stopped (" + err.message + "). End the set and start again.");
      return;
    }
    countSkeleton(found.drawn);
    const ws = st.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) { st.inFlight = false; return; }
    ws.send(JSON.stringify(found.message));
    st.pumpTimer = setTimeout(pump, STUCK_MS + 10);
  }

  function sendFrame() {
    const scale = Math.min(1, MAX_WIDTH / video.videoWidth);
    grab.width = Math.round(video.videoWidth * scale);
    grab.height = Math.round(video.videoHeight * scale);
    grab.getContext("2d").drawImage(video, 0, 0, grab.width, grab.height);
    const t = (performance.now() - st.setStart) / 1000;
    st.inFlight = true;
    st.sentAt = performance.now();
    grab.toBlob(async (blob) => {
      const ws = st.ws;
      if (!blob || !ws || ws.readyState !== WebSocket.OPEN) { st.inFlight = false; return; }
      const jpeg = new Uint8Array(await blob.arrayBuffer());
      const message = new Uint8Array(12 + jpeg.length);
      message.set(FRAME_TAG, 0);
      new DataView(message.buffer).setFloat64(4, t, true);
      message.set(jpeg, 12);
      ws.send(message.buffer);
      st.pumpTimer = setTimeout(pump, STUCK_MS + 10);
    }, "image/jpeg", JPEG_QUALITY);
  }

  function endSet() {
    if (!st.ws) return;
    st.running = false;
    $("end-button").disabled = true;
    status("Finishing the set…");
    if (st.ws.readyState === WebSocket.OPEN) st.ws.send(JSON.stringify({ type: "end" }));
  }

  /* ---- one cue at a time (the server picks which; this shows and speaks it) ---- */
  function showCue(cue) {
    const el = $("cue");
    el.textContent = cue.message;
    el.dataset.cue = cue.cue;
    el.dataset.severity = cue.severity;
    el.hidden = false;
    st.cuesShown += 1;
    document.body.dataset.cuesShown = String(st.cuesShown);
    clearTimeout(st.cueTimer);
    st.cueTimer = setTimeout(() => { el.hidden = true; }, 4000);
    if ($("speech-toggle").checked && "speechSynthesis" in window) {
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(new SpeechSynthesisUtterance(cue.message));
    }
  }

  function proposeEnd() {
    if (st.isolationAsked || !st.running) return;
    st.isolationAsked = true;
    const dialog = $("isolation-dialog");
    if (typeof dialog.showModal === "function") dialog.showModal();
  }

  /* ---- after the set ---- */
  function showAfterSet() {
    clearTimeout(st.cueTimer);
    $("cue").hidden = true; // a cue belongs to its set
    startRest(cfg.dosage.rest_s); // the rest starts when the set ends, not after the questions
    const report = st.report;
    const reps = report ? report.rep_count : st.reps.length;
    const seconds = report ? report.duration_s : (performance.now() - st.setStart) / 1000;
    $("set-summary").textContent = reps + " rep(s) in " + HipSkeleton.formatClock(seconds) +
      (st.interrupted ? " (the set ended when the connection closed)." : ".");
    const messages = Object.assign({}, st.cues, report ? report.messages : {});
    const list = $("set-cues");
    list.replaceChildren();
    for (const [cue, message] of Object.entries(messages)) {
      const li = document.createElement("li");
      li.textContent = message;
      li.dataset.cue = cue;
      list.appendChild(li);
    }
    $("unseen-reps").hidden = reps > 0; // no reps seen: typed in, never saved as 0 done
    $("typed-reps").required = reps === 0;
    $("after-set").hidden = false;
    $("save-status").textContent = "";
    $("save-button").disabled = false;
    setState("after-set");
    $("after-set").scrollIntoView({ behavior: "smooth" });
  }

  async function saveSet(event) {
    event.preventDefault();
    const form = event.target;
    const data = new FormData(form);
    const body = {
      set_id: st.setId, pain: Number(data.get("pain")), where_felt: data.get("where_felt"),
      leg_symptoms: data.get("leg_symptoms") === "yes", plan: cfg.plan,
      ended_early: st.endedEarly || st.interrupted,
      typed_reps: data.get("typed_reps") ? Number(data.get("typed_reps")) : null,
    };
    $("save-button").disabled = true;
    $("save-status").textContent = "Saving…";
    try {
      const response = await fetch("/api/sets", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": HipSkeleton.csrfToken() },
        body: JSON.stringify(body),
      });
      const reply = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(reply.detail || ("the server said " + response.status));
      st.saved = true;
      document.body.dataset.setSaved = "yes";
      $("save-status").textContent = reply.message || "Saved.";
      if (reply.next) {
        const link = $("save-next");
        link.href = reply.next;
        link.textContent = "Go on";
        link.hidden = false;
      }
      setState("resting");
      status("Resting. Start the next set when the rest is over, if you like.");
      if (st.restEnd === null) startRest(cfg.dosage.rest_s);
      tick();
      $("start-button").textContent = "Start the next set";
    } catch (err) {
      $("save-status").textContent = "Not saved: " + err.message;
      $("save-button").disabled = false;
    }
  }

  /* ---- timers ---- */
  function startRest(seconds) { st.restEnd = performance.now() + seconds * 1000; }
  function stopRest() { st.restEnd = null; $("rest-timer").textContent = "–"; }
  function tick() {
    if (st.running) $("set-timer").textContent = HipSkeleton.formatClock((performance.now() - st.setStart) / 1000);
    if (st.restEnd !== null) {
      const left = (st.restEnd - performance.now()) / 1000;
      $("rest-timer").textContent = left > 0 ? HipSkeleton.formatClock(left) : "go";
    }
  }

  /* ---- wiring ---- */
  HipLiveDevice.init(video, overlay, cfg.skeleton);
  $("camera-button").addEventListener("click", startCamera);
  $("start-button").addEventListener("click", startSet);
  $("end-button").addEventListener("click", endSet);
  $("after-set-form").addEventListener("submit", saveSet);
  $("isolation-dialog").addEventListener("close", () => {
    if ($("isolation-dialog").returnValue === "end") {
      st.endedEarly = true;
      endSet();
    }
  });
  const speech = $("speech-toggle");
  speech.checked = localStorage.getItem("hipcoach.speech") === "on";
  speech.addEventListener("change", () => localStorage.setItem("hipcoach.speech", speech.checked ? "on" : "off"));
  const mirror = $("mirror-toggle");
  const applyMirror = () => $("stage").classList.toggle("mirrored", mirror.checked);
  mirror.addEventListener("change", applyMirror);
  applyMirror();
  window.addEventListener("pagehide", () => { if (st.ws) st.ws.close(1001, "page closed"); });
  setInterval(tick, 250);
  setState("setup");
})();
