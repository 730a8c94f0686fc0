// Node ESM resolve hook for the bench: tfjs-core's ES-module files import their siblings without
// the ".js" extension (written for bundlers), which Node refuses. The bench needs one such file,
// register_all_gradients.js (the gradients tf.train optimizers use are not in the Node bundle).
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (!specifier.startsWith('.') || !context.parentURL?.includes('/@tensorflow/tfjs-core/dist/')) throw error;
    try {
      return await next(`${specifier}.js`, context);
    } catch {
      return next(`${specifier}/index.js`, context);
    }
  }
}
