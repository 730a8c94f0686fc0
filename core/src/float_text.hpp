// The shortest decimal text of a float32 that reads back to the same float, written fast.
#pragma once

namespace cnnlens {

// Writes `value` into [first, last) (at least 32 chars) as the shortest decimal that reads back
// to the same float the way a reader of JSON does (parsed as a double, then narrowed: JSON.parse
// then a Float32Array, or the core's own parser), in nlohmann's layout (0.37254903, 3.0,
// 1.5e-05); returns the end. Used for every tensor value of a scene's text.
char* write_float_short(char* first, char* last, float value);

}  // namespace cnnlens
