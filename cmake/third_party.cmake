# Header-only dependencies from Debian: xtensor (+ xtl), nlohmann/json and protozero (the ONNX
# reader's protobuf decoder), as one interface target.
# Natively their CMake packages are used as they are. Under Emscripten the packages would add
# -isystem /usr/include, whose glibc headers break a wasm compile, so only symlinks to the
# libraries' own header folders are staged and put on the include path.
add_library(cnnlens_third_party INTERFACE)

if(EMSCRIPTEN)
  set(staged "${CMAKE_BINARY_DIR}/staged-include")
  file(MAKE_DIRECTORY "${staged}")
  foreach(header_dir xtensor xtl nlohmann protozero)
    if(NOT EXISTS "/usr/include/${header_dir}")
      message(FATAL_ERROR "/usr/include/${header_dir} is missing: install libxtensor-dev, nlohmann-json3-dev and libprotozero-dev")
    endif()
    file(CREATE_LINK "/usr/include/${header_dir}" "${staged}/${header_dir}" SYMBOLIC)
  endforeach()
  target_include_directories(cnnlens_third_party SYSTEM INTERFACE "${staged}")
else()
  find_package(xtensor REQUIRED)
  find_package(nlohmann_json 3.10 REQUIRED)
  target_link_libraries(cnnlens_third_party INTERFACE xtensor nlohmann_json::nlohmann_json)
  # protozero ships no CMake package: check for its headers (they sit in /usr/include, already searched).
  if(NOT EXISTS "/usr/include/protozero/pbf_reader.hpp")
    message(FATAL_ERROR "/usr/include/protozero is missing: install libprotozero-dev")
  endif()
endif()
