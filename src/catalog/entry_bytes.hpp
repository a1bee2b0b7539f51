// The bytes of an offered entry without a copy when the layer reader already holds them
// (jars and compressed changelogs are read whole: copies add up). Executables are not read
// this way: the Go and cargo-auditable catalogers stream them (exec_stream.hpp).
#pragma once

#include <string>
#include <string_view>

#include "core/limits.hpp"
#include "image/layer_reader.hpp"

namespace bulwark::catalog {

inline core::Result<std::string_view> entry_bytes(image::EntryContent& content,
                                                  std::string& storage) {
  return content.read_rest(core::limits().max_file_read, storage);
}

}  // namespace bulwark::catalog
