/* Analyse a recorded video: pose it in this browser and send landmarks (analyse_device.js),
   or upload the file as the request body (progress bar) and poll the analysis; then play
   the person's own copy with the skeleton drawn over it. */
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const exerciseSelect = $("exercise-select"), variationSelect = $("variation-select");
  let result = null, objectUrl = null;

  function fillVariations() {
    const option = exerciseSelect.selectedOptions[0];
    const ids = option ? JSON.parse(option.dataset.variations || "[]") : [];
    const names = option ? JSON.parse(option.dataset.variationNames || "[]") : [];
    variationSelect.replaceChildren();
    variationSelect.disabled = ids.length === 0;
    $("variation-label").hidden = ids.length === 0; // no empty box for exercises without set-ups
    ids.forEach((id, i) => {
      const o = document.createElement("option");
      o.value = id; o.textContent = names[i] || id;
      variationSelect.appendChild(o);
    });
  }

  const cueNames = JSON.parse($("cue-names").textContent);
  const cueName = (id) => cueNames[id] || id.replaceAll("_", " ");

  function fail(message) {
    $("analyse-progress").hidden = true; // no "Uploading…" left under the error
    $("analyse-status").textContent = "";
    $("analyse-error").textContent = message;
    $("analyse-error").hidden = false;
    $("analyse-button").disabled = false;
    document.body.dataset.analyse = "failed";
  }

  function upload(file, url) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("content-type", file.type || "application/octet-stream");
      xhr.setRequestHeader("x-csrf-token", HipSkeleton.csrfToken());
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) $("upload-bar").value = 100 * e.loaded / e.total; };
      xhr.onload = () => {
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status >= 200 && xhr.status < 300) resolve(body);
        else reject(new Error(body.detail || ("the server answered " + xhr.status)));
      };
      xhr.onerror = () => reject(new Error("the upload failed: is hipcoach still running?"));
      xhr.send(file);
    });
  }

  async function poll(jobId) {
    for (;;) {
      const response = await fetch("/api/analyse/" + jobId);
      const job = await response.json();
      if (!response.ok) throw new Error(job.detail || "the analysis was lost");
      if (job.total > 0) $("analysis-bar").value = 100 * job.done / job.total;
      $("analyse-status").textContent = job.message || job.status;
      if (job.status === "done") return;
      if (job.status === "failed") throw new Error(job.message);
      await new Promise((r) => setTimeout(r, 400));
    }
  }

  async function analyse(event) {
    event.preventDefault();
    $("analyse-error").hidden = true;
    $("analyse-result").hidden = true;
    const file = $("video-file").files[0];
    if (!file) { fail("Choose a video first."); return; }
    const params = new URLSearchParams({ exercise: exerciseSelect.value, side: $("side-select").value,
      keep: $("keep-toggle").checked ? "true" : "false" });
    if (!variationSelect.disabled && variationSelect.value) params.set("variation", variationSelect.value);
    $("analyse-button").disabled = true;
    $("analyse-progress").hidden = false;
    $("upload-bar").value = 0; $("analysis-bar").value = 0;
    document.body.dataset.analyse = "running";
    if ($("analyse-device").checked) {
      analyseHere(file);
      return;
    }
    $("upload-bar").closest("label").style.display = "";
    $("analyse-status").textContent = "Uploading…";
    try {
      const job = await upload(file, "/api/analyse?" + params.toString());
      $("upload-bar").value = 100;
      await poll(job.id);
      const response = await fetch("/api/analyse/" + job.id + "/result");
      result = await response.json();
      if (!response.ok) throw new Error(result.detail || "no result");
      $("analysis-bar").value = 100;
      showResult(file);
    } catch (err) {
      fail("Could not analyse this video: " + err.message);
    }
  }

  /* The pose is found in this browser; only landmarks go to hipcoach. */
  async function analyseHere(file) {
    $("upload-bar").closest("label").style.display = "none";
    $("analyse-status").textContent = "Loading the pose model…";
    try {
      result = await HipAnalyseDevice.run(file, {
        exercise: exerciseSelect.value, side: $("side-select").value,
        variation: variationSelect.disabled ? null : variationSelect.value,
        onModel: (label) => { $("analyse-status").textContent = "Finding the pose in this browser (" + label + ")…"; },
        onProgress: (done, total) => { $("analysis-bar").value = 100 * done / total; },
      });
      document.body.dataset.analysedHere = "yes";
      showResult(file);
    } catch (err) {
      fail("Could not analyse this video in the browser: " + err.message + ". You can upload it instead.");
    }
  }

  function describeWhere() {
    const here = $("analyse-device").checked;
    $("keep-toggle").disabled = here;
    $("analyse-where-note").textContent = here
      ? "The video stays on this device; only the positions of 33 body points go to hipcoach. Not kept."
      : "The video is uploaded to hipcoach on this computer or your own network.";
  }

  function hardToSee(view) {
    const cues = view.hard_to_see || [];
    const unjudged = view.not_judged || [];
    let text = "";
    if (view.ok && cues.length > 0) {
      text += " Less certain from this camera angle (they move towards or away from the camera): " +
        cues.map(cueName).join(", ") + ".";
    }
    if (unjudged.length > 0) {
      text += " Not judged in this recording (from this camera angle, or with landmarks that have no depth, they cannot be told from landmark error): " +
        unjudged.map(cueName).join(", ") + ".";
    }
    return text;
  }

  function notes(report) {
    return (report.notes || []).map((n) => " " + n).join("");
  }

  function showResult(file) {
    const report = result.report;
    $("result-summary").textContent = report.rep_count + " rep(s), working side " + (report.side || "unknown") +
      ". " + (report.view.ok ? "" : report.view.advice) + hardToSee(report.view) + notes(report) +
      (result.saved_to ? " Kept in " + result.saved_to + " (with its landmarks and an annotated copy)." : "");
    document.body.dataset.repCount = String(report.rep_count);
    const body = $("rep-table").querySelector("tbody");
    body.replaceChildren();
    for (const rep of report.reps) {
      const tr = document.createElement("tr");
      const cues = rep.cues.map((c) => report.messages[c] || c).join(" ");
      for (const value of [rep.index, rep.start_s.toFixed(1), rep.peak_s.toFixed(1), rep.end_s.toFixed(1),
        rep.range_deg.toFixed(0), rep.hold_s.toFixed(1), cues || "clean"]) {
        const td = document.createElement("td");
        td.textContent = value;
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    const setCues = $("result-set-cues");
    setCues.replaceChildren();
    for (const cue of report.set_cues) {
      const li = document.createElement("li");
      li.textContent = report.messages[cue] || cue;
      setCues.appendChild(li);
    }
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = URL.createObjectURL(file);
    const video = $("result-video");
    video.src = objectUrl;
    $("analyse-result").hidden = false;
    $("analyse-button").disabled = false;
    $("analyse-status").textContent = "Done.";
    document.body.dataset.analyse = "done";
  }

  function drawOverlay() {
    const video = $("result-video"), canvas = $("result-overlay");
    if (result && video.videoWidth) {
      if (canvas.width !== video.videoWidth) { canvas.width = video.videoWidth; canvas.height = video.videoHeight; }
      const frame = HipSkeleton.frameAt(result.frames, video.currentTime);
      HipSkeleton.draw(canvas, frame ? frame.pose : null, result.skeleton);
      showCaption(frame);
    }
    requestAnimationFrame(drawOverlay);
  }

  /* The rep count and the cue at this moment of the video, written under the picture:
     nothing is drawn over the body or the video's own controls. */
  function showCaption(frame) {
    const caption = $("playback-caption");
    const text = frame ? "Rep " + frame.reps + (frame.cue ? " · " + frame.cue : "") : "";
    if (caption.textContent !== text) caption.textContent = text;
  }

  const unsupported = HipDevicePose.unsupportedReason();
  if (unsupported) {
    $("analyse-device").disabled = true;
    $("analyse-server").checked = true;
  }
  for (const id of ["analyse-device", "analyse-server"]) $(id).addEventListener("change", describeWhere);
  describeWhere();
  if (unsupported) $("analyse-where-note").textContent = unsupported + " The video is uploaded to hipcoach instead.";
  exerciseSelect.addEventListener("change", fillVariations);
  $("analyse-form").addEventListener("submit", analyse);
  fillVariations();
  requestAnimationFrame(drawOverlay);
})();
