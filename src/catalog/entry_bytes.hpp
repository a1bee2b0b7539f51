// The bytes of an offered entry without a copy when the layer reader already holds them
// (every executable in an image passes through the binary catalogers: copies add up).
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
