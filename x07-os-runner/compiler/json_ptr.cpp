#include "json_ptr.hpp"

namespace x07c {

JsonPtr::JsonPtr(std::string text) {
  if (text.empty()) return;
  size_t n = text.size();
  last_ = std::make_shared<const Link>(Link{nullptr, std::move(text), n});
}

JsonPtr JsonPtr::child(std::string_view escaped_token) const {
  std::string t;
  t.reserve(escaped_token.size() + 1);
  t += '/';
  t += escaped_token;
  size_t n = (last_ ? last_->size : 0) + t.size();
  return JsonPtr(std::make_shared<const Link>(Link{last_, std::move(t), n}));
}

JsonPtr JsonPtr::child(size_t index) const { return child(std::to_string(index)); }

std::string JsonPtr::str() const {
  if (!last_) return {};
  std::string out(last_->size, '\0');
  size_t end = out.size();
  for (const Link* l = last_.get(); l; l = l->parent.get()) {
    end -= l->text.size();
    out.replace(end, l->text.size(), l->text);
  }
  return out;
}

}  // namespace x07c
