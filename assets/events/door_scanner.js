// The event door's camera scanner (/admin/events/<id>/door). It reads a ticket's QR code and puts
// the code into the page's "ticket code" field and submits it, exactly as if staff had typed it:
// the check-in itself is the page's own form event, with every check on the server.
// Decoding: the browser's BarcodeDetector where it has one for QR codes (Chrome on Android, macOS);
// elsewhere (Safari, desktop Linux and Windows) jsQR 1.4.0 from the npm registry, served from
// /vendor and loaded only then, so the page itself stays small.
(() => {
  if (window.hubDoorScanner) return;
  const JSQR = "/vendor/jsqr-1.4.0.js";
  let stream = null;
  let running = false;

  function say(text) {
    const status = document.getElementById("door-scan-status");
    if (status) status.textContent = text;
  }

  function loadJsQR() {
    return new Promise((resolve, reject) => {
      if (window.jsQR) { resolve(window.jsQR); return; }
      const script = document.createElement("script");
      script.src = JSQR;
      script.onload = () => resolve(window.jsQR);
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  async function nativeReader() {
    if (!("BarcodeDetector" in window)) return null;
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (!formats.includes("qr_code")) return null;
      const detector = new window.BarcodeDetector({formats: ["qr_code"]});
      return async (video) => {
        const found = await detector.detect(video);
        return found.length ? found[0].rawValue : "";
      };
    } catch (error) {
      return null;
    }
  }

  async function jsQRReader() {
    const jsQR = await loadJsQR();
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", {willReadFrequently: true});
    return async (video) => {
      const width = video.videoWidth;
      const height = video.videoHeight;
      if (!width || !height) return "";
      // A phone camera gives 1280x720 or more; a QR at arm's length decodes well from 640 px.
      const scale = Math.min(1, 640 / Math.max(width, height));
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = jsQR(image.data, image.width, image.height, {inversionAttempts: "attemptBoth"});
      return found ? found.data : "";
    };
  }

  function stop() {
    running = false;
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    const video = document.getElementById("door-video");
    if (video) {
      video.srcObject = null;
      video.hidden = true;
    }
  }

  function submit(code) {
    const input = document.getElementById("door-code");
    if (!input || !input.form) return;
    input.value = code.trim().slice(0, 40);
    input.form.requestSubmit();
  }

  function nextFrame() {
    return new Promise((resolve) => window.requestAnimationFrame(() => resolve()));
  }

  async function start(messages) {
    const video = document.getElementById("door-video");
    if (!video || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say(messages.noCamera);
      return;
    }
    stop();
    try {
      stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false});
    } catch (error) {
      say(messages.noCamera);
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    say(messages.scanning);
    const read = (await nativeReader()) || (await jsQRReader());
    running = true;
    let frame = 0;
    while (running && document.body.contains(video)) {
      await nextFrame();
      frame += 1;
      if (frame % 4 !== 0) continue; // about 15 reads a second is plenty, and spares a phone's battery
      let code = "";
      try {
        code = await read(video);
      } catch (error) {
        code = "";
      }
      if (code) {
        stop();
        say("");
        submit(code);
        return;
      }
    }
    stop();
  }

  window.hubDoorScanner = {start, stop};
})();
