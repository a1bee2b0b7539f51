// Checks of an image itself, no Dockerfile needed (BW-IMG-*): the config (user, Env secrets,
// exposed ports, healthcheck, history) and the merged filesystem (setuid/setgid files,
// world-writable files, package manager caches), each tied to the layer that added it.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "image/layer_reader.hpp"
#include "misconfig/misconfig.hpp"

namespace bulwark::misconfig::image_config {

std::span<const Rule> rules();

// `config` is the image config document (with "config" and "history"); `layers` the layer
// results in image order. Rootfs directories have an empty config: only filesystem checks run.
std::vector<Issue> check(const nlohmann::json& config,
                         const std::vector<image::LayerResult>& layers);

}  // namespace bulwark::misconfig::image_config
