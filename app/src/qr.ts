// QR codes of accounts: a patient shows theirs, a clinician scans it with the camera (the
// browser's BarcodeDetector where it has one, else jsQR on the video frames) or from a picture.
import jsQR from 'jsqr';
import qrcode from 'qrcode-generator';
import { h, replace } from './dom';

/** An account as a QR code (the `substrate:address:genesis` form wallets use), as an <img>. */
export function accountQr(address: string, genesisHash: string, label: string): HTMLImageElement {
  const qr = qrcode(0, 'M');
  qr.addData(`substrate:${address}:${genesisHash}`);
  qr.make();
  // Five pixels a module and a quiet zone of four modules, as scanners need.
  return h('img', { src: qr.createDataURL(5, 20), alt: label, class: 'qr', width: String(qr.getModuleCount() * 5 + 40) });
}

/** The account in a scanned text: a bare address or `substrate:address[:genesis[:…]]`. */
export function accountFromQrText(text: string): string {
  const t = text.trim();
  if (t.startsWith('substrate:')) return t.split(':')[1] ?? '';
  return t;
}

interface Detector {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>;
}

function nativeDetector(): Detector | null {
  const BD = (window as unknown as { BarcodeDetector?: new (o: { formats: string[] }) => Detector }).BarcodeDetector;
  try {
    return BD ? new BD({ formats: ['qr_code'] }) : null;
  } catch {
    return null;
  }
}

function decodeCanvas(canvas: HTMLCanvasElement): string | null {
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return null;
  const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
  return jsQR(img.data, img.width, img.height)?.data ?? null;
}

/** Decode a QR code in a picture file. */
export async function decodeImageFile(file: File): Promise<string | null> {
  const bitmap = await createImageBitmap(file);
  const canvas = h('canvas', { width: String(bitmap.width), height: String(bitmap.height) });
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
  const native = nativeDetector();
  if (native) {
    const found = await native.detect(canvas).catch(() => []);
    if (found[0]) return found[0].rawValue;
  }
  return decodeCanvas(canvas);
}

/**
 * A camera scanner: starts the camera in `container`, calls `onText` with the first QR code it
 * reads, and stops. Returns a stop function.
 */
export async function scanWithCamera(container: HTMLElement, onText: (text: string) => void, onError: (msg: string) => void): Promise<() => void> {
  if (!navigator.mediaDevices?.getUserMedia) {
    onError('This browser cannot use a camera here (a camera needs https or localhost). Paste the account, or choose a picture of the code.');
    return () => undefined;
  }
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
  } catch (e) {
    onError(`The camera is not available: ${(e as Error).message}. Paste the account, or choose a picture of the code.`);
    return () => undefined;
  }
  const video = h('video', { playsinline: true, muted: true, class: 'scanner', 'aria-label': 'Camera view for scanning a QR code' });
  video.srcObject = stream;
  replace(container, video);
  await video.play().catch(() => undefined);
  const native = nativeDetector();
  const canvas = h('canvas');
  let running = true;
  const stop = () => {
    running = false;
    stream.getTracks().forEach((t) => t.stop());
    replace(container);
  };
  const tick = async () => {
    if (!running) return;
    if (video.readyState >= 2) {
      let text: string | null = null;
      if (native) text = (await native.detect(video).catch(() => []))[0]?.rawValue ?? null;
      if (!text) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        canvas.getContext('2d', { willReadFrequently: true })?.drawImage(video, 0, 0);
        text = decodeCanvas(canvas);
      }
      if (text) {
        stop();
        onText(text);
        return;
      }
    }
    setTimeout(tick, 200);
  };
  void tick();
  return stop;
}
