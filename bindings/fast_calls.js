// The fast lane of Model.trainBatch and Model.predict, appended inside the Emscripten factory
// (--post-js), where the heap views are in scope.
//
// Why: called once per sample (streaming training, live prediction), an Embind method that takes
// its arrays as `emscripten::val` spends more time crossing between JS and wasm (a dozen handle
// operations: type checks, `length`, a heap view, `set`) than a small network spends computing.
// Here the arrays are written straight into the model's staging area on the wasm heap and the
// core is called with lengths only. Anything that is not a plain array or a common typed array
// goes the Embind way, which gives the documented errors; both ways share the core's checks, so
// results and messages are the same.

// Installed once the Embind classes exist (stack_guard.js calls it then).
function installFastCalls() {
  const proto = Module['Model'].prototype;
  const viaEmbind = { trainBatch: proto.trainBatch, predict: proto.predict };

  // Arrays whose elements HEAPF32.set converts exactly as the Embind path's TypedArray.set does.
  const writable = (v) =>
    v instanceof Float32Array || v instanceof Float64Array || v instanceof Int32Array ||
    v instanceof Uint8Array || v instanceof Uint8ClampedArray || Array.isArray(v);
  // Pixels given as bytes are scaled by 1/255 in the core (docs/api.md).
  const bytes = (v) => v instanceof Uint8Array || v instanceof Uint8ClampedArray;

  proto['trainBatch'] = function trainBatch(inputs, targets) {
    if (arguments.length !== 2 || !writable(inputs) || !writable(targets)) {
      return viaEmbind.trainBatch.apply(this, arguments);
    }
    // _stage may grow the heap, which replaces HEAPF32: read it only after the call.
    const at = this['_stage'](inputs.length, targets.length) >> 2;
    HEAPF32.set(inputs, at);
    HEAPF32.set(targets, at + inputs.length);
    return this['_trainStaged'](inputs.length, targets.length, bytes(inputs));
  };

  proto['predict'] = function predict(inputs) {
    if (arguments.length !== 1 || !writable(inputs)) return viaEmbind.predict.apply(this, arguments);
    const at = this['_stage'](inputs.length, 0) >> 2;
    HEAPF32.set(inputs, at);
    const outputs = this['_predictStaged'](inputs.length, bytes(inputs));
    // The forward pass may have grown the heap too: HEAPF32 is read again here.
    return HEAPF32.slice(at + inputs.length, at + inputs.length + outputs);
  };
}
