// Image references as the distribution project's reference grammar defines them
// (github.com/distribution/reference, regexp.go / normalize.go):
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [ domain "/" ] path-component ( "/" path-component )*
//   domain    := host [ ":" port ]     (a first component counts as a domain when it contains
//                                       "." or ":" or is "localhost")
// with Docker Hub defaults: no domain means docker.io, and a single-component docker.io name
// gets "library/". Only sha256 digests are accepted (every digest bulwark verifies is sha256).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/digest.hpp"
#include "core/result.hpp"

namespace bulwark::registry {

inline constexpr std::string_view kDockerHub = "docker.io";

struct Reference {
  std::string registry;    // "docker.io", "ghcr.io", "127.0.0.1:5000"
  std::string repository;  // "library/debian", "team/app"
  std::string tag;         // empty when only a digest was given
  std::optional<core::Digest> digest;

  // What /v2/<repository>/manifests/<x> is asked for: the digest if pinned, else the tag.
  std::string manifest_ref() const { return digest ? digest->str() : tag; }
  // Host (and port) the API lives at: Docker Hub's API is registry-1.docker.io.
  std::string api_host() const;
  // Normalised full form: "docker.io/library/debian:12", "host:5000/app@sha256:...".
  std::string str() const;
};

// Parses and normalises; a missing tag and digest means tag "latest".
core::Result<Reference> parse_reference(std::string_view text);

// True when `text` is shaped like a registry reference with an explicit registry host
// ("host.tld/x", "host:port/x", "localhost/x"): how a bare command-line target that is not a
// local file is recognised as a registry image.
bool looks_like_registry_reference(std::string_view text);

}  // namespace bulwark::registry
