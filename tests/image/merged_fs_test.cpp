#include "image/merged_fs.hpp"

#include <gtest/gtest.h>

namespace bulwark::image {
namespace {

Entry file(std::string p) {
  return Entry{std::move(p), EntryType::kFile, 1, 0644, 0, 0, ""};
}
Entry dir(std::string p) {
  return Entry{std::move(p), EntryType::kDir, 0, 0755, 0, 0, ""};
}
Entry link(std::string p, std::string t) {
  return Entry{std::move(p), EntryType::kSymlink, 0, 0777, 0, 0, std::move(t)};
}

LayerResult layer(int i, std::vector<Entry> e, std::vector<std::string> wh = {},
                  std::vector<std::string> opq = {}) {
  LayerResult r;
  r.layer = i;
  r.files.entries = std::move(e);
  r.files.whiteouts = std::move(wh);
  r.files.opaque_dirs = std::move(opq);
  return r;
}

TEST(MergedFs, WhiteoutRemovesPathAndSubtree) {
  std::vector<LayerResult> layers;
  layers.push_back(
      layer(0, {dir("app"), dir("app/node_modules"), dir("app/node_modules/minimist"),
                file("app/node_modules/minimist/package.json"), file("root/.aws/credentials")}));
  layers.push_back(layer(1, {}, {"app/node_modules/minimist", "root/.aws/credentials"}));
  auto fs = MergedFs::build(layers);
  EXPECT_EQ(fs.find("app/node_modules/minimist/package.json"), nullptr);
  EXPECT_EQ(fs.find("root/.aws/credentials"), nullptr);
  ASSERT_NE(fs.find("app/node_modules"), nullptr);
  ASSERT_EQ(fs.removed().size(), 3U);
  for (const auto& r : fs.removed()) {
    EXPECT_EQ(r.layer, 0);
    EXPECT_EQ(r.removed_in_layer, 1);
  }
}

TEST(MergedFs, OpaqueDirHidesLowerContentButKeepsItsOwnLayer) {
  std::vector<LayerResult> layers;
  layers.push_back(layer(0, {dir("opt/keys"), file("opt/keys/id_rsa")}));
  layers.push_back(layer(1, {dir("opt/keys"), file("opt/keys/README.txt")}, {}, {"opt/keys"}));
  auto fs = MergedFs::build(layers);
  EXPECT_EQ(fs.find("opt/keys/id_rsa"), nullptr);
  ASSERT_NE(fs.find("opt/keys/README.txt"), nullptr);
  EXPECT_EQ(fs.find("opt/keys/README.txt")->layer, 1);
}

TEST(MergedFs, LaterVersionRecordsTheLayerThatWroteIt) {
  std::vector<LayerResult> layers;
  layers.push_back(layer(0, {file("var/lib/dpkg/status")}));
  layers.push_back(layer(1, {file("var/lib/dpkg/status")}));
  EXPECT_EQ(MergedFs::build(layers).find("var/lib/dpkg/status")->layer, 1);
}

TEST(MergedFs, ResolvesSymlinkChainsInsideTheRoot) {
  std::vector<LayerResult> layers;
  layers.push_back(layer(
      0, {dir("usr"), dir("usr/lib"), file("usr/lib/os-release"),
          link("etc/os-release", "../usr/lib/os-release"), link("lib", "usr/lib"),
          link("etc/alias", "/lib/os-release"), link("escape", "../../../../usr/lib/os-release")}));
  auto fs = MergedFs::build(layers);
  EXPECT_EQ(fs.resolve("etc/os-release"), "usr/lib/os-release");
  EXPECT_EQ(fs.resolve("etc/alias"), "usr/lib/os-release");
  EXPECT_EQ(fs.resolve("lib/os-release"), "usr/lib/os-release");
  EXPECT_EQ(fs.resolve("escape"), "usr/lib/os-release");  // clamped at the root, as a runtime would
  EXPECT_EQ(fs.resolve("missing"), std::nullopt);
}

TEST(MergedFs, SymlinkLoopGivesUpInsteadOfHanging) {
  std::vector<LayerResult> layers;
  layers.push_back(layer(0, {link("a", "b"), link("b", "a"), link("self", "self/x")}));
  auto fs = MergedFs::build(layers);
  EXPECT_EQ(fs.resolve("a"), std::nullopt);
  EXPECT_EQ(fs.resolve("self"), std::nullopt);
}

}  // namespace
}  // namespace bulwark::image

namespace bulwark::image {
namespace {

TEST(MergedFs, FileReplacingADirectoryHidesItsContents) {
  std::vector<LayerResult> layers;
  layers.push_back(layer(0, {dir("opt/app"), dir("opt/app/lib"), file("opt/app/lib/x.so")}));
  layers.push_back(layer(1, {file("opt/app")}));
  auto fs = MergedFs::build(layers);
  ASSERT_NE(fs.find("opt/app"), nullptr);
  EXPECT_EQ(fs.find("opt/app")->entry->type, EntryType::kFile);
  EXPECT_EQ(fs.find("opt/app/lib/x.so"), nullptr);
  ASSERT_EQ(fs.removed().size(), 2U);
  EXPECT_EQ(fs.removed()[1].removed_in_layer, 1);
}

TEST(MergedFs, TheLowestDeletingLayerAboveRemovesAnEntry) {
  std::vector<LayerResult> layers;
  layers.push_back(layer(0, {file("a/b/c")}));
  layers.push_back(layer(1, {}, {"a/b"}));
  layers.push_back(layer(2, {}, {"a"}));
  auto fs = MergedFs::build(layers);
  ASSERT_EQ(fs.removed().size(), 1U);
  EXPECT_EQ(fs.removed()[0].removed_in_layer, 1);
  EXPECT_FALSE(fs.has_entries_under("a"));
}

TEST(MergedFs, PathTwiceInOneLayerKeepsTheLastEntryAndTheFirstDecidesWhatItHides) {
  // Layer 1's tar holds "a" as a file, then as a directory. Extraction keeps the directory, but
  // the file written first already replaced layer 0's directory, so its content is gone.
  std::vector<LayerResult> layers;
  layers.push_back(layer(0, {dir("a"), file("a/x"), file("b")}));
  layers.push_back(layer(1, {file("a"), dir("a"), file("b"), file("b")}));
  auto fs = MergedFs::build(layers);
  ASSERT_NE(fs.find("a"), nullptr);
  EXPECT_EQ(fs.find("a")->entry->type, EntryType::kDir);
  EXPECT_EQ(fs.find("a")->layer, 1);
  EXPECT_EQ(fs.find("a/x"), nullptr);
  ASSERT_EQ(fs.removed().size(), 1U);
  EXPECT_EQ(fs.removed()[0].entry->path, "a/x");
  EXPECT_EQ(fs.removed()[0].removed_in_layer, 1);
  ASSERT_NE(fs.find("b"), nullptr);
  EXPECT_EQ(fs.find("b")->entry, &layers[1].files.entries[3]);
  EXPECT_EQ(fs.visible_count(), 2U);
}

TEST(MergedFs, FindAllAnswersAsFindDoesForEachPathInOrder) {
  // Enough layers and paths for the batched lookup to prefetch ahead and wrap around: visible,
  // overwritten, removed by a whiteout and by an opaque directory, never written.
  std::vector<LayerResult> layers;
  std::vector<std::string> paths;
  for (int l = 0; l < 3; ++l) {
    std::vector<Entry> entries;
    for (int i = 0; i < 200; ++i) {
      std::string p = "d" + std::to_string(i % 7) + "/f" + std::to_string(i * (l + 1));
      entries.push_back(file(p));
      paths.push_back(p);
    }
    std::vector<std::string> whiteouts, opaque;
    if (l == 2) whiteouts.push_back("d3");
    if (l == 1) opaque.push_back("d5");
    layers.push_back(layer(l, std::move(entries), std::move(whiteouts), std::move(opaque)));
  }
  for (int i = 0; i < 50; ++i) paths.push_back("missing/" + std::to_string(i));
  auto fs = MergedFs::build(layers);
  std::vector<std::string_view> views(paths.begin(), paths.end());
  auto all = fs.find_all(views);
  ASSERT_EQ(all.size(), paths.size());
  size_t found = 0;
  for (size_t i = 0; i < paths.size(); ++i) {
    EXPECT_EQ(all[i], fs.find(paths[i])) << paths[i];
    found += all[i] != nullptr ? 1 : 0;
  }
  EXPECT_GT(found, 100U);
  EXPECT_LT(found, paths.size() - 50);  // some removed
  EXPECT_TRUE(MergedFs{}.find_all(views).size() == views.size());
}

TEST(MergedFs, DefaultConstructedViewIsEmpty) {
  MergedFs fs;
  EXPECT_EQ(fs.find("etc/os-release"), nullptr);
  EXPECT_FALSE(fs.has_entries_under("etc"));
  EXPECT_EQ(fs.visible_count(), 0U);
}

}  // namespace
}  // namespace bulwark::image
