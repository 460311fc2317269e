/* The live coach's choice of where the pose is found: on this device (BlazePose in the page,
   only landmark messages go to the server; the default where the browser can) or on the
   server (camera frames go over the socket). Measures the pose rate in the first seconds
   and offers the other place when it stays under OFFER_BELOW_FPS. live.js asks this module
   which start fields to send and, in device mode, for each landmark message. */
"use strict";
window.HipLiveDevice = (function () {
  const OFFER_BELOW_FPS = 12, RATE_WINDOW_MS = 3000, STORE_KEY = "hipcoach.poseMode";
  const $ = (id) => document.getElementById(id);
  const PRIVACY = {
    device: "Your video stays on this device: the pose is found here, in this browser, and only " +
      "the positions of 33 body points go to hipcoach.",
    server: "Your video goes to the hipcoach server (on this computer or your own network), " +
      "is analysed in memory and is never saved.",
  };
  const st = {
    video: null, overlay: null, edges: null, estimator: null, loading: null, failed: "",
    inSet: false, chain: Promise.resolve(), previewing: false, meter: null, offered: false, frameTime: null,
    frameCount: 0,
  };

  function choice() { return $("pose-device").checked ? "device" : "server"; }
  function modelName() { return $("pose-model-choice").value; }
  function mark(key, value) { document.body.dataset[key] = value; }

  function describe() {
    // The privacy line follows the choice: nothing is sent before a set starts, and a set
    // waits for the model (or for the fallback, which changes the choice).
    $("pose-privacy").textContent = PRIVACY[choice()];
    const mode = active() ? "device" : "server";
    mark("poseMode", mode);
    const info = $("pose-info");
    if (choice() === "device" && st.loading && !st.estimator && !st.failed) {
      info.textContent = "Loading the pose model (" + HipDevicePose.MODELS[modelName()].label + ") on this device…";
    } else if (st.estimator && mode === "device") {
      info.textContent = "Model: " + st.estimator.label + ".";
    } else if (st.failed) {
      info.textContent = st.failed;
    } else {
      info.textContent = "Model: BlazePose full, on the hipcoach server.";
    }
    info.classList.toggle("notice", Boolean(st.failed));
  }

  function fallBack(reason) {
    st.failed = "Pose could not run on this device (" + reason.replace(/\.$/, "") +
      "), so the hipcoach server finds the pose instead.";
    $("pose-server").checked = true;
    mark("poseFallback", "yes");
    describe();
  }

  /* Load (once per model) the estimator; resolves when the mode is settled either way. */
  function load() {
    if (choice() !== "device") return Promise.resolve();
    if (st.estimator && st.estimator.model === modelName()) return Promise.resolve();
    if (st.loading) return st.loading;
    if (st.estimator) { st.estimator.close(); st.estimator = null; }
    st.failed = "";
    mark("poseFallback", "");
    st.loading = HipDevicePose.create(modelName())
      .then((estimator) => { st.estimator = estimator; st.meter = new HipDevicePose.RateMeter(RATE_WINDOW_MS); })
      .catch((err) => fallBack(err.message || String(err)))
      .finally(() => { st.loading = null; describe(); preview(); });
    describe();
    return st.loading;
  }

  function active() { return choice() === "device" && Boolean(st.estimator) && st.estimator.model === modelName(); }

  /* Times of the newest camera frame (requestVideoFrameCallback gives its capture time). */
  function watchFrames(video) {
    if (typeof video.requestVideoFrameCallback !== "function") return;
    const onFrame = (now, meta) => {
      st.frameTime = meta && meta.captureTime ? meta.captureTime : now;
      st.frameCount += 1;
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }

  async function newFrame(seen) {
    if (typeof st.video.requestVideoFrameCallback !== "function") {
      await new Promise((r) => setTimeout(r, 30));
      return performance.now();
    }
    while (st.frameCount === seen) await new Promise((r) => setTimeout(r, 5));
    return st.frameTime;
  }

  /* Pose of the next new camera frame: {pose, time} (time on performance.now()'s clock).
     One estimate at a time: the preview and the set take turns on one chain. */
  function estimateNext() {
    const run = st.chain.then(estimateOne);
    st.chain = run.catch(() => null);
    return run;
  }

  async function estimateOne() {
    const frameTime = await newFrame(st.lastFrame);
    st.lastFrame = st.frameCount;
    const result = await st.estimator.estimateVideo(st.video, frameTime);
    st.meter.tick();
    offer();
    return { pose: result.pose, time: frameTime, width: result.width, height: result.height };
  }

  function draw(pose, edges) {
    const video = st.video, overlay = st.overlay;
    if (video.videoWidth && overlay.width !== video.videoWidth) {
      overlay.width = video.videoWidth;
      overlay.height = video.videoHeight;
    }
    return HipSkeleton.draw(overlay, HipDevicePose.forDrawing(pose), edges || st.edges);
  }

  /* Before a set: the skeleton over the video (is everything in view?) and the rate. */
  async function preview() {
    if (st.previewing) return;
    st.previewing = true;
    try {
      while (!st.inSet && active() && st.video && st.video.srcObject) {
        const { pose } = await estimateNext();
        if (!st.inSet) draw(pose);
      }
    } catch (err) {
      fallBack(err.message || String(err));
    } finally {
      st.previewing = false;
    }
  }

  /* Offer the other place once when the pose rate stays low. */
  function offer() {
    const rate = st.meter ? st.meter.rate() : null;
    if (st.offered || rate === null || rate >= OFFER_BELOW_FPS) return;
    const device = choice() === "device";
    if (!device && HipDevicePose.unsupportedReason()) return;
    st.offered = true;
    mark("poseRate", rate.toFixed(1));
    $("pose-offer-text").textContent = device
      ? "Pose on this device runs at " + rate.toFixed(0) + " frames a second, slow for following a movement. The hipcoach server may keep up better (your video would then go to it)."
      : "The server answers " + rate.toFixed(0) + " frames a second. Pose on this device may be quicker, and your video would stay here.";
    $("pose-offer-button").textContent = device ? "Use the server from the next set" : "Use this device from the next set";
    $("pose-offer-button").dataset.to = device ? "server" : "device";
    $("pose-offer").hidden = false;
  }

  function onChoice() {
    localStorage.setItem(STORE_KEY, choice());
    st.offered = false;
    st.meter = new HipDevicePose.RateMeter(RATE_WINDOW_MS);
    $("pose-offer").hidden = true;
    describe();
    if (st.video) load();
  }

  function init(video, overlay, edges) {
    st.video = video;
    st.overlay = overlay;
    st.edges = edges;
    st.meter = new HipDevicePose.RateMeter(RATE_WINDOW_MS);
    const reason = HipDevicePose.unsupportedReason();
    if (reason) {
      $("pose-device").disabled = true;
      fallBack(reason);
    } else if (localStorage.getItem(STORE_KEY) === "server") {
      $("pose-server").checked = true;
    }
    for (const id of ["pose-device", "pose-server", "pose-model-choice"]) $(id).addEventListener("change", onChoice);
    $("pose-offer-button").addEventListener("click", () => {
      $(($("pose-offer-button").dataset.to === "server") ? "pose-server" : "pose-device").checked = true;
      onChoice();
    });
    describe();
  }

  /* live.js: the camera is on. */
  function cameraOn() {
    watchFrames(st.video);
    return load();
  }

  /* live.js: a set starts or ends; the choice is fixed while a set runs. */
  function setRunning(running) {
    st.inSet = running;
    const unsupported = Boolean(HipDevicePose.unsupportedReason());
    for (const id of ["pose-device", "pose-server", "pose-model-choice"]) {
      $(id).disabled = running || (id === "pose-device" && unsupported);
    }
    if (!running) preview();
  }

  function startFields() {
    if (!active()) return { mode: "frames" };
    return { mode: "landmarks", send_pose: false, image_size: [st.video.videoWidth, st.video.videoHeight] };
  }

  /* Device mode: the next frame's landmark message (t in seconds since `origin`, a
     performance.now() time) and the number of bones drawn. */
  async function next(origin, edges) {
    const { pose, time } = await estimateNext();
    const drawn = draw(pose, edges);
    return { message: HipDevicePose.toMessage(pose, (time - origin) / 1000), drawn };
  }

  /* Server mode: one more result arrived (for the rate). */
  function serverResult() {
    if (active() || !st.meter) return;
    st.meter.tick();
    offer();
  }

  return { init, cameraOn, load, active, setRunning, startFields, next, serverResult };
})();
