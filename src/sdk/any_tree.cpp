#include "sdk/any_tree.hpp"

#include <algorithm>
#include <utility>

#include "cliproxy/json.hpp"
#include "sdk/go_text.hpp"

namespace cliproxy::json::internal {

void AnyTree::Number(double value) {
  std::string text;
  AppendGoFloat(value, &text);
  nodes_.push_back({Node::Kind::kScalar, std::move(text), {}});
  stack_.push_back(static_cast<uint32_t>(nodes_.size() - 1));
}

void AnyTree::String(std::string_view raw) {
  nodes_.push_back({Node::Kind::kString, std::string(raw), {}});
  stack_.push_back(static_cast<uint32_t>(nodes_.size() - 1));
}

void AnyTree::Close(Node::Kind kind, size_t children) {
  Node node{kind, {}, {}};
  node.children.assign(stack_.end() - static_cast<ptrdiff_t>(children), stack_.end());
  stack_.resize(stack_.size() - children);
  nodes_.push_back(std::move(node));
  stack_.push_back(static_cast<uint32_t>(nodes_.size() - 1));
}

void AnyTree::Finish(AnyValue* out) {
  const uint32_t root = stack_.back();
  out->kind =
      nodes_[root].kind == Node::Kind::kObject ? AnyValue::Kind::kObject : AnyValue::Kind::kArray;
  out->text.clear();
  Write(root, &out->text);
  nodes_.clear();
  stack_.clear();
}

void AnyTree::Write(uint32_t root, std::string* out) const {
  struct Open {
    const Node* container;
    // Objects: the members to write, sorted by key, only the last of each duplicate.
    std::vector<std::pair<std::string, uint32_t>> members;
    size_t next = 0;
  };
  std::vector<Open> open;
  // Writes a scalar, or the opening of a container (and remembers it).
  auto begin = [&](uint32_t index) {
    const Node& node = nodes_[index];
    switch (node.kind) {
      case Node::Kind::kScalar:
        out->append(node.text);
        return;
      case Node::Kind::kString:
        AppendQuoted(out, node.text);
        return;
      case Node::Kind::kArray:
        out->push_back('[');
        open.push_back({&node, {}, 0});
        return;
      case Node::Kind::kObject:
        break;
    }
    out->push_back('{');
    std::vector<std::pair<std::string, uint32_t>> members;
    members.reserve(node.children.size() / 2);
    for (size_t k = 0; k + 1 < node.children.size(); k += 2) {
      std::string key;
      AssignGoString(nodes_[node.children[k]].text, &key);
      members.emplace_back(std::move(key), node.children[k + 1]);
    }
    std::stable_sort(members.begin(), members.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    size_t kept = 0;
    for (size_t i = 0; i < members.size(); ++i) {
      if (i + 1 < members.size() && members[i + 1].first == members[i].first) continue;
      if (kept != i) members[kept] = std::move(members[i]);
      ++kept;
    }
    members.resize(kept);
    open.push_back({&node, std::move(members), 0});
  };
  begin(root);
  while (!open.empty()) {
    Open& top = open.back();
    uint32_t next = 0;
    if (top.container->kind == Node::Kind::kArray) {
      if (top.next == top.container->children.size()) {
        out->push_back(']');
        open.pop_back();
        continue;
      }
      if (top.next > 0) out->push_back(',');
      next = top.container->children[top.next++];
    } else {
      if (top.next == top.members.size()) {
        out->push_back('}');
        open.pop_back();
        continue;
      }
      if (top.next > 0) out->push_back(',');
      AppendQuoted(out, top.members[top.next].first);
      out->push_back(':');
      next = top.members[top.next++].second;
    }
    begin(next);  // may grow `open`: `top` is not used after this
  }
}

}  // namespace cliproxy::json::internal
