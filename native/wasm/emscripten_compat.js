// A JavaScript library for emcc, linked before emnapi's library_napi.js (scripts/build-wasm.js).
// emnapi's library targets emscripten >= 3.1.9; Debian 12 ships 3.1.6, whose library compiler
// lacks three things the library uses. The macro block below runs once, inside emcc's library
// compiler, and adds them:
//  - the unsigned heap types 'u8', 'u16', 'u32', 'u64' in makeGetValue/makeSetValue (mapped to
//    the signed type of the same width, read as unsigned);
//  - getUnsharedTextDecoderView (no shared memory here, so a plain subarray) and
//    POINTER_WASM_TYPE (wasm32);
//  - a library value "undefined" means an alias to a symbol named undefined in 3.1.6; a leading
//    '=' makes it the plain initial value it is meant to be.
// Nothing in it runs in the built module.
{{{ (function () {
  if (globalThis.spikegradCompatApplied) return '';
  globalThis.spikegradCompatApplied = true;
  const signedOf = { u8: 'i8', u16: 'i16', u32: 'i32', u64: 'i64' };
  const get = globalThis.makeGetValue;
  globalThis.makeGetValue = function (ptr, pos, type, noNeedFirst, unsigned, ...rest) {
    if (signedOf[type]) return get(ptr, pos, signedOf[type], noNeedFirst, true, ...rest);
    return get(ptr, pos, type, noNeedFirst, unsigned, ...rest);
  };
  const set = globalThis.makeSetValue;
  globalThis.makeSetValue = function (ptr, pos, value, type, ...rest) {
    return set(ptr, pos, value, signedOf[type] || type, ...rest);
  };
  if (typeof globalThis.POINTER_WASM_TYPE === 'undefined') globalThis.POINTER_WASM_TYPE = 'i32';
  if (typeof globalThis.getUnsharedTextDecoderView !== 'function') {
    globalThis.getUnsharedTextDecoderView = (heap, start, end) => `${heap}.subarray(${start}, ${end})`;
  }
  const merge = globalThis.mergeInto;
  globalThis.mergeInto = function (target, source, ...rest) {
    for (const key of Object.keys(source)) {
      if (source[key] === 'undefined') source[key] = '=undefined';
    }
    return merge(target, source, ...rest);
  };
  return '';
})() }}}
mergeInto(LibraryManager.library, {});
