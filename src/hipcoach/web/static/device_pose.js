/* Pose on this device: MediaPipe BlazePose (@mediapipe/pose, WebAssembly + WebGL) in the page.
   The package is installed by `make` into /static/vendor/mediapipe-pose/ (never a CDN); the
   camera picture goes into the model here and only landmark messages (docs/protocol.md)
   leave the page.

   It runs on the main thread: the package's Web Worker path is incomplete (in a worker it
   tries to importScripts the .tflite model, never loads it into the graph, and has no WebGL
   context for the input picture), and making it work would mean patching its minified
   internals. */
"use strict";
window.HipDevicePose = (function () {
  const BASE = "/static/vendor/mediapipe-pose/";
  const MODELS = {
    lite: { complexity: 0, file: "pose_landmark_lite.tflite", label: "BlazePose lite" },
    full: { complexity: 1, file: "pose_landmark_full.tflite", label: "BlazePose full" },
  };
  const RUNTIME_FILES = ["pose.js", "pose_web.binarypb", "pose_solution_packed_assets_loader.js",
    "pose_solution_packed_assets.data"];
  const LOAD_TIMEOUT_MS = 60000, FIRST_FRAME_TIMEOUT_MS = 60000, MAX_WIDTH = 640;
  /* BlazePose's 33 landmarks in MediaPipe's order: the landmark CSV's and the protocol's names
     (hipcoach.pose.landmarks.LANDMARK_NAMES; a test checks that the two lists agree). */
  const NAMES = [
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
    "right_heel", "left_foot_index", "right_foot_index",
  ];

  /* Why this browser cannot pose on the device, or "" when it can (as far as can be told
     before loading the model). */
  function unsupportedReason() {
    if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
      return "This browser cannot run WebAssembly, which pose on this device needs.";
    }
    const probe = document.createElement("canvas");
    if (!(probe.getContext("webgl2") || probe.getContext("webgl"))) {
      return "This browser has no WebGL, which pose on this device needs.";
    }
    return "";
  }

  /* True when WebGL is drawn in software (SwiftShader, llvmpipe: no GPU, as in headless
     browsers and some virtual machines). The model's GPU inference is then many times slower
     than its CPU (WebAssembly SIMD) inference: measured here 2-4 s against 0.1 s a frame. */
  function softwareWebGL() {
    const gl = document.createElement("canvas").getContext("webgl");
    const info = gl && gl.getExtension("WEBGL_debug_renderer_info");
    const renderer = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : "";
    return /swiftshader|llvmpipe|software/i.test(renderer);
  }

  function withTimeout(promise, ms, what) {
    let timer;
    const late = new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(what + " took longer than " + ms / 1000 + " s")), ms);
    });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
  }

  let scriptLoading = null;
  function loadScript() {
    if (window.Pose) return Promise.resolve();
    if (!scriptLoading) {
      scriptLoading = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = BASE + "pose.js";
        script.onload = () => (window.Pose ? resolve() : reject(new Error("pose.js did not define Pose")));
        script.onerror = () => { scriptLoading = null; reject(new Error("pose.js could not be loaded")); };
        document.head.appendChild(script);
      });
    }
    return scriptLoading;
  }

  /* Every file the model needs must be served by this app: a clear error beats a wasm abort. */
  async function checkFiles(model) {
    for (const name of [...RUNTIME_FILES, model.file]) {
      const response = await fetch(BASE + name, { method: "HEAD", cache: "no-store" });
      if (!response.ok) throw new Error("the model file " + name + " is missing (" + response.status + ")");
    }
  }

  /* Load BlazePose ("lite" or "full") and run one blank frame through it.
     Resolves to an estimator; rejects with an Error whose message says what failed. */
  async function create(modelName) {
    const model = MODELS[modelName] || MODELS.full;
    const reason = unsupportedReason();
    if (reason) throw new Error(reason);
    await withTimeout(checkFiles(model).then(loadScript), LOAD_TIMEOUT_MS, "loading the pose model");
    const pose = new window.Pose({ locateFile: (file) => BASE + file });
    const cpuInference = softwareWebGL();
    pose.setOptions({
      modelComplexity: model.complexity, smoothLandmarks: true, enableSegmentation: false,
      minDetectionConfidence: 0.5, minTrackingConfidence: 0.5, selfieMode: false,
      useCpuInference: cpuInference,
    });
    const estimator = new Estimator(pose, model, modelName in MODELS ? modelName : "full", cpuInference);
    try {
      await withTimeout(pose.initialize(), LOAD_TIMEOUT_MS, "starting the pose model");
      const blank = document.createElement("canvas");
      blank.width = 64; blank.height = 48;
      blank.getContext("2d").fillRect(0, 0, 64, 48);
      // Time 0, so that callers may count their own times from 0 ms.
      await withTimeout(estimator.estimate(blank, 0), FIRST_FRAME_TIMEOUT_MS, "the first pose");
    } catch (err) {
      estimator.close();
      throw err;
    }
    return estimator;
  }

  function Estimator(pose, model, name, cpuInference) {
    this.pose = pose;
    this.model = name;
    this.label = model.label + " (@mediapipe/pose " + versionOf() + ", " +
      (cpuInference ? "on the processor" : "on the graphics chip") + ")";
    this.lastAt = 0;
    this.latest = null;
    this.grab = document.createElement("canvas");
    pose.onResults((results) => { this.latest = results; });
  }

  /* pose.js publishes its version as a global. */
  function versionOf() {
    return typeof window.VERSION === "string" ? window.VERSION : "unknown version";
  }

  /* Pose of one picture (a video, canvas or image). `atMs`: its time in milliseconds; the
     graph needs strictly increasing times. Resolves to {image, world} (lists of 33
     landmarks) or null when nobody is in view. */
  Estimator.prototype.estimate = async function (source, atMs) {
    let at = atMs === undefined ? performance.now() : atMs;
    if (at <= this.lastAt) at = this.lastAt + 1;
    this.lastAt = at;
    this.latest = null;
    await this.pose.send({ image: source }, at);
    const r = this.latest;
    if (!r || !r.poseLandmarks) return null;
    return { image: r.poseLandmarks, world: r.poseWorldLandmarks || null };
  };

  /* Draws a video frame into a canvas at most 640 pixels wide (as the server path sends),
     then estimates on that canvas. Returns {pose, width, height, canvas}. */
  Estimator.prototype.estimateVideo = async function (video, atMs) {
    const scale = Math.min(1, MAX_WIDTH / video.videoWidth);
    const grab = this.grab;
    const w = Math.round(video.videoWidth * scale), h = Math.round(video.videoHeight * scale);
    if (grab.width !== w || grab.height !== h) { grab.width = w; grab.height = h; }
    grab.getContext("2d", { willReadFrequently: true }).drawImage(video, 0, 0, w, h);
    const pose = await this.estimate(grab, atMs);
    return { pose, width: video.videoWidth, height: video.videoHeight, canvas: grab };
  };

  Estimator.prototype.close = function () {
    try { this.pose.close(); } catch (e) { /* already closed */ }
  };

  function round(value, digits) {
    if (typeof value !== "number" || !isFinite(value)) return null;
    const f = Math.pow(10, digits);
    return Math.round(value * f) / f;
  }

  /* A landmark message (docs/protocol.md) for a pose at `t` seconds; nobody in view when
     pose is null. */
  function toMessage(pose, t) {
    const message = { type: "landmarks", t: round(t, 6) };
    if (!pose) return message;
    NAMES.forEach((name, i) => {
      const p = pose.image[i] || {};
      message[name + "_x"] = round(p.x, 5);
      message[name + "_y"] = round(p.y, 5);
      message[name + "_z"] = round(p.z, 5);
      message[name + "_visibility"] = round(p.visibility === undefined ? 0 : p.visibility, 4);
    });
    if (pose.world && pose.world.length === NAMES.length) {
      NAMES.forEach((name, i) => {
        const p = pose.world[i];
        message[name + "_wx"] = round(p.x, 5);
        message[name + "_wy"] = round(p.y, 5);
        message[name + "_wz"] = round(p.z, 5);
      });
    }
    return message;
  }

  /* [x, y, visibility] per landmark, as the server's `pose` field (for HipSkeleton.draw). */
  function forDrawing(pose) {
    if (!pose) return null;
    return pose.image.map((p) => [p.x, p.y, p.visibility === undefined ? 0 : p.visibility]);
  }

  /* Frames per second over a sliding window of the last `windowMs`. */
  function RateMeter(windowMs) {
    this.windowMs = windowMs || 3000;
    this.times = [];
    this.first = null;
  }
  RateMeter.prototype.tick = function (now) {
    now = now === undefined ? performance.now() : now;
    if (this.first === null) this.first = now;
    this.times.push(now);
    while (this.times.length && now - this.times[0] > this.windowMs) this.times.shift();
  };
  /* The rate once the window is full, else null. */
  RateMeter.prototype.rate = function (now) {
    now = now === undefined ? performance.now() : now;
    if (this.first === null || now - this.first < this.windowMs || this.times.length < 2) return null;
    return (this.times.length - 1) * 1000 / (this.times[this.times.length - 1] - this.times[0]);
  };

  return { create, unsupportedReason, toMessage, forDrawing, RateMeter, NAMES, MODELS, BASE };
})();
