#include "catalog/cataloger.hpp"

namespace bulwark::catalog {

namespace {
const image::LayerResult* layer_by_index(const std::vector<image::LayerResult>& layers, int index) {
  if (index >= 0 && static_cast<size_t>(index) < layers.size() &&
      layers[static_cast<size_t>(index)].layer == index) {
    return &layers[static_cast<size_t>(index)];
  }
  for (const auto& l : layers) {
    if (l.layer == index) return &l;
  }
  return nullptr;
}
}  // namespace

const std::vector<std::string>* MergeContext::facts(std::string_view path) const {
  const auto* rec = fs_.find(path);
  if (rec == nullptr) return nullptr;
  const auto* layer = layer_by_index(layers_, rec->layer);
  if (layer == nullptr) return nullptr;
  auto it = layer->facts.facts_by_path.find(std::string(path));
  return it == layer->facts.facts_by_path.end() ? nullptr : &it->second;
}

const std::string* MergeContext::captured(std::string_view path) const {
  auto resolved = fs_.resolve(path);
  if (!resolved) return nullptr;
  const auto* rec = fs_.find(*resolved);
  if (rec == nullptr) return nullptr;
  const auto* layer = layer_by_index(layers_, rec->layer);
  if (layer == nullptr) return nullptr;
  auto it = layer->facts.captured.find(*resolved);
  return it == layer->facts.captured.end() ? nullptr : &it->second;
}

}  // namespace bulwark::catalog
