// Puts the wasm stack pointer back when a bound call throws, appended inside both Emscripten
// factories (--post-js; in the main module after fast_calls.js, whose fast lane it installs first
// so that the guard wraps what callers see).
//
// Why: a C++ failure reaches JS as an Error thrown from inside the wasm frames (js_errors.cpp),
// and a JS exception leaves those frames without their epilogues, so the space they took on the
// wasm stack is never given back: 60-110 bytes per failed call. After some 50,000 failed calls
// (a data set with a NaN row, fed in a loop) the stack ran into the heap and the module failed
// with "memory access out of bounds". Emscripten's own invoke_* wrappers restore the stack the
// same way.
function installStackGuard() {
  const guard = (call) => {
    const guarded = function () {
      const top = stackSave();
      try {
        return call.apply(this, arguments);
      } catch (e) {
        stackRestore(top);
        throw e;
      }
    };
    // the same name, and Embind's own properties: an overloaded method reads its overloadTable
    // through the prototype's function at every call
    Object.defineProperty(guarded, 'name', { value: call.name });
    for (const key of Object.keys(call)) guarded[key] = call[key];
    return guarded;
  };

  const Model = Module['Model'];
  if (Model) {
    // every method that reaches the core (delete, clone… are Embind's own, on the parent
    // prototype); not the fast lane's internals (_stage…), called only from guarded methods
    const proto = Model.prototype;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const method = proto[name];
      if (name !== 'constructor' && !name.startsWith('_') && typeof method === 'function') proto[name] = guard(method);
    }
    // the constructor (an invalid scene throws): a function that returns Embind's object, so
    // `new Model(scene)` and `instanceof Model` behave as before
    const construct = guard(function (...args) { return new Model(...args); });
    const GuardedModel = function Model(...args) {
      if (!new.target) throw new TypeError("Class constructor Model cannot be invoked without 'new'");
      return construct.apply(undefined, args);
    };
    GuardedModel.prototype = proto;
    Object.setPrototypeOf(GuardedModel, Model);
    Module['Model'] = GuardedModel;
  }
  // the free functions that can fail on their input
  for (const name of ['importOnnx', 'exportOnnx']) {
    if (typeof Module[name] === 'function') Module[name] = guard(Module[name]);
  }
}

// Installed once the Embind classes exist (after the runtime's initialisation: at once when the
// wasm compiled synchronously, else later), the main module's fast lane first.
function installBindingsJs() {
  if (typeof installFastCalls === 'function') installFastCalls();
  installStackGuard();
}

if (calledRun) installBindingsJs();
else addOnPostRun(installBindingsJs);
