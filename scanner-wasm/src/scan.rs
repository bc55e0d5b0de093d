//! Archive scanning for the page's Web Worker: `File`/`Blob` (random-access
//! reads through `FileReaderSync`) and `Uint8Array` inputs.
