// Photos are made small on the phone before they are queued: about 1600 px on the long side,
// JPEG of a few hundred KB, drawn through a canvas (which also leaves every EXIF tag behind).
const LONG_SIDE = 1600;
const MAX_BYTES = 400 * 1024;

function encode(canvas, quality) {
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
}

export async function downscale(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  let blob = await encode(canvas, 0.8);
  for (const quality of [0.65, 0.5]) {
    if (blob.size <= MAX_BYTES) break;
    blob = await encode(canvas, quality);
  }
  const taken = file.lastModified ? new Date(file.lastModified) : new Date();
  return { blob, taken_at: taken.toISOString() };
}
