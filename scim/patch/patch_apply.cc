// Applying strict PatchOperations to a stored document (RFC 7644 §3.5.2.1–§3.5.2.3).
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "portico/case_fold.h"
#include "scim/filter/evaluator.h"
#include "scim/patch/compat.h"
#include "scim/patch/patch.h"
#include "scim/resource_validator.h"
#include "scim/scim_errors.h"

namespace portico::scim {
namespace {

Status AtOperation(size_t index, const Status& status) {
  return Status(status.code(), "Operations[" + std::to_string(index) + "]: " + status.message())
      .WithTag(status.tag())
      .WithDetails(status.details())
      .WithInternal(status.internal());
}

Status Mutability(const std::string& message) { return BadRequest(kMutability, message); }

// The definition of one element of a multi-valued attribute.
AttributeDef ElementDef(const AttributeDef& attr) {
  AttributeDef element = attr;
  element.multi_valued = false;
  return element;
}

Json LiteralToJson(const Literal& literal) {
  switch (literal.kind) {
    case Literal::Kind::kString:
    case Literal::Kind::kDateTime:
      return Json(literal.text);
    case Literal::Kind::kBoolean:
      return Json(literal.boolean);
    case Literal::Kind::kInteger:
      return Json(literal.integer);
    case Literal::Kind::kDecimal:
      return Json(literal.decimal);
  }
  return Json();
}

// The element a value filter made only of `eq` comparisons joined by `and` describes
// (`type eq "work"` → {"type":"work"}); false for any other filter, which describes no single
// element to create.
bool CollectEqualities(const Filter& filter, Json& element) {
  switch (filter.kind) {
    case Filter::Kind::kCompare:
      if (filter.op != CompareOp::kEq || filter.attr.sub.empty()) return false;
      if (element.Find(filter.attr.sub) != nullptr) return false;  // the same sub twice
      element.Set(filter.attr.sub, LiteralToJson(filter.value));
      return true;
    case Filter::Kind::kAnd:
      return CollectEqualities(filter.children[0], element) &&
             CollectEqualities(filter.children[1], element);
    default:
      return false;
  }
}

// The member ids a filter of `value eq "id"` comparisons joined by `or` selects; false for any
// other filter (members are never loaded, so nothing else can be evaluated).
bool CollectMemberIds(const Filter& filter, std::vector<std::string>& ids) {
  switch (filter.kind) {
    case Filter::Kind::kCompare:
      if (filter.op != CompareOp::kEq || filter.attr.sub != "value" ||
          filter.value.kind != Literal::Kind::kString) {
        return false;
      }
      ids.push_back(filter.value.text);
      return true;
    case Filter::Kind::kOr:
      return CollectMemberIds(filter.children[0], ids) && CollectMemberIds(filter.children[1], ids);
    default:
      return false;
  }
}

bool IsTrue(const Json* value) { return value != nullptr && value->is_bool() && value->as_bool(); }

// Whether two values of `def` are equal as SCIM compares them (caseExact=false strings after
// case folding).
bool SameValue(const AttributeDef& def, const Json& a, const Json& b) {
  if (a.is_string() && b.is_string() && !def.case_exact) {
    return FoldCase(a.as_string()) == FoldCase(b.as_string());
  }
  return a == b;
}

// Equality with object members in any order: a value already present is the same value however
// the client ordered its sub-attributes.
bool SameElement(const Json& a, const Json& b) {
  if (!a.is_object() || !b.is_object()) return a == b;
  if (a.as_object().size() != b.as_object().size()) return false;
  for (const auto& [name, value] : a.as_object()) {
    const Json* other = b.Find(name);
    if (other == nullptr || !SameElement(value, *other)) return false;
  }
  return true;
}

// Composes the members operations of one request into one MemberChange. Indexed, because one
// request may add or remove many members.
class MemberChangeBuilder {
 public:
  void Add(const std::vector<MemberRef>& refs) {
    for (const MemberRef& ref : refs) {
      if (removed_.erase(ref.value) > 0) std::erase(remove_, ref.value);
      if (added_.contains(ref.value)) continue;
      added_.emplace(ref.value, add_.size());
      add_.push_back(ref);
    }
  }

  void Remove(const std::vector<std::string>& ids) {
    for (const std::string& id : ids) {
      if (auto it = added_.find(id); it != added_.end()) {
        add_[it->second].value.clear();  // tombstone; Build skips it
        added_.erase(it);
      }
      // After a remove-all the stored members are gone already.
      if (!cleared_ && removed_.insert(id).second) remove_.push_back(id);
    }
  }

  void RemoveAll() {
    cleared_ = true;
    add_.clear();
    added_.clear();
    remove_.clear();
    removed_.clear();
  }

  void Replace(const std::vector<MemberRef>& refs) {
    RemoveAll();
    Add(refs);
  }

  MemberChange Build() const {
    MemberChange change;
    for (const MemberRef& ref : add_) {
      if (!ref.value.empty()) change.add.push_back(ref);
    }
    if (cleared_) {
      change.replace = !change.add.empty();
      change.remove_all = change.add.empty();
    } else {
      change.remove = remove_;
    }
    return change;
  }

 private:
  bool cleared_ = false;
  std::vector<MemberRef> add_;
  std::unordered_map<std::string, size_t> added_;  // id → index in add_
  std::vector<std::string> remove_;
  std::unordered_set<std::string> removed_;
};

class Applier {
 public:
  Applier(const ResourceType& type, Json document) : type_(type), doc_(std::move(document)) {}

  Status Apply(const PatchOperation& op) {
    const ResolvedAttr& resolved = op.path.attr;
    std::optional<AttributeLookup> at =
        type_.Find(AttrPath{resolved.urn, resolved.attr, resolved.sub});
    if (!at) return Internal("PATCH path '" + op.path_text + "' does not resolve");
    const AttributeDef& attr = *at->attr;
    const AttributeDef* sub = at->sub;
    if (IsGroupMembers(attr)) return ApplyMembers(op, attr, sub);
    // RFC 7644 §3.5.2: a client MUST NOT modify an attribute that has mutability "readOnly".
    if (attr.mutability == Mutability::kReadOnly ||
        (sub != nullptr && sub->mutability == Mutability::kReadOnly)) {
      return Mutability("'" + op.path_text + "' is readOnly");
    }
    if (attr.mutability == Mutability::kWriteOnly) return ApplyWriteOnly(op, attr);

    const Json* found = Current(*at);
    const std::optional<Json> before =
        found != nullptr ? std::optional<Json>(*found) : std::nullopt;
    Status status;
    if (op.path.value_filter) {
      status = ApplyFiltered(op, *at, *op.path.value_filter);
    } else if (sub != nullptr) {
      status = attr.multi_valued ? ApplyToEveryElement(op, *at) : ApplySub(op, *at);
    } else {
      status = ApplyWhole(op, *at);
    }
    PORTICO_RETURN_IF_ERROR(status);
    return CheckImmutable(attr, before, Current(*at));
  }

  Json& document() { return doc_; }
  const std::optional<std::string>& password() const { return password_; }
  MemberChange members() const { return members_.Build(); }

 private:
  bool IsGroupMembers(const AttributeDef& attr) const {
    return NameEquals(type_.core().id, kGroupSchemaUrn) && attr.multi_valued &&
           NameEquals(attr.name, "members");
  }

  // The object holding the attribute: the document itself, or the extension's object under its
  // URN (created when `create`).
  Json* Container(const AttributeLookup& at, bool create) {
    if (at.common || at.schema == &type_.core()) return &doc_;
    Json* ext = doc_.Find(at.schema->id);
    if (ext != nullptr && ext->is_object()) return ext;
    if (!create) return nullptr;
    doc_.Set(at.schema->id, Json::MakeObject());
    return doc_.Find(at.schema->id);
  }

  Json* Current(const AttributeLookup& at) {
    Json* container = Container(at, false);
    return container != nullptr ? container->Find(at.attr->name) : nullptr;
  }

  void Set(const AttributeLookup& at, Json value) {
    Container(at, true)->Set(at.attr->name, std::move(value));
  }

  // Unassigns the attribute; an extension left empty disappears with it.
  void Erase(const AttributeLookup& at) {
    Json* container = Container(at, false);
    if (container == nullptr) return;
    container->Erase(at.attr->name);
    if (container != &doc_ && container->as_object().empty()) doc_.Erase(at.schema->id);
  }

  // RFC 7644 §3.5.2: removing or unassigning a required attribute is a mutability error.
  static Status CheckRemovable(const AttributeDef& def, const PatchOperation& op) {
    if (def.required) {
      return Mutability("'" + op.path_text + "' is required and cannot be removed");
    }
    return Status::Ok();
  }

  // The operation's value for `def`, after the compatibility rewrites, validated and canonical
  // (null when it unassigns).
  static StatusOr<Json> Prepare(const AttributeDef& def, const PatchOperation& op) {
    return ValidateAttributeValue(def, NormalizeValueForCompat(def, *op.value), op.path_text);
  }

  // Merges the sub-attributes of `raw` into `existing` (RFC 7644 §3.5.2.3: sub-attributes not
  // given are left unchanged); a null sub-attribute value unassigns it, readOnly ones are
  // ignored as on POST and PUT. Returns the merged object (possibly empty).
  static StatusOr<Json> MergeComplex(const AttributeDef& def, const Json* existing, const Json& raw,
                                     const std::string& where) {
    if (!raw.is_object()) {
      return BadRequest(kInvalidValue, "attribute '" + where + "' must be an object");
    }
    Json merged = existing != nullptr && existing->is_object() ? *existing : Json::MakeObject();
    for (const auto& [name, sub_value] : raw.as_object()) {
      const AttributeDef* sub = def.FindSub(name);
      if (sub == nullptr) {
        return BadRequest(kInvalidSyntax,
                          "attribute '" + where + "' has no sub-attribute '" + name + "'");
      }
      if (sub->mutability == Mutability::kReadOnly) continue;
      PORTICO_ASSIGN_OR_RETURN(Json value,
                               ValidateAttributeValue(*sub, sub_value, where + "." + sub->name));
      if (value.is_null()) {
        merged.Erase(sub->name);
      } else {
        merged.Set(sub->name, std::move(value));
      }
    }
    return merged;
  }

  // An element left without its "value" (RFC 7643 §2.4: the significant value), or with nothing
  // at all, is no element: drop it.
  static void DropHollowElements(const AttributeDef& attr, Json::Array& elements) {
    const bool has_value_sub = attr.FindSub("value") != nullptr;
    std::erase_if(elements, [&](const Json& e) {
      return !e.is_object() || e.as_object().empty() ||
             (has_value_sub && e.Find("value") == nullptr);
    });
  }

  // RFC 7644 §3.5.2: setting "primary" true on one value sets it false on the others.
  static void DemoteOtherPrimaries(Json::Array& elements, const std::vector<size_t>& touched) {
    size_t primaries = 0;
    for (size_t i : touched) {
      if (IsTrue(elements[i].Find("primary"))) ++primaries;
    }
    // Two new primaries at once cannot be resolved; the final validation reports invalidValue.
    if (primaries != 1) return;
    std::vector<bool> is_touched(elements.size(), false);
    for (size_t i : touched) is_touched[i] = true;
    for (size_t i = 0; i < elements.size(); ++i) {
      if (!is_touched[i] && IsTrue(elements[i].Find("primary"))) elements[i].Set("primary", false);
    }
  }

  // Stores a multi-valued attribute; an empty one is unassigned.
  Status StoreElements(const PatchOperation& op, const AttributeLookup& at, Json::Array elements) {
    if (!elements.empty()) {
      Set(at, Json(std::move(elements)));
      return Status::Ok();
    }
    if (Current(at) == nullptr) return Status::Ok();
    PORTICO_RETURN_IF_ERROR(CheckRemovable(*at.attr, op));
    Erase(at);
    return Status::Ok();
  }

  Json::Array CurrentElements(const AttributeLookup& at) {
    const Json* current = Current(at);
    return current != nullptr && current->is_array() ? current->as_array() : Json::Array();
  }

  // A path naming a whole attribute: "userName", "name", "emails".
  Status ApplyWhole(const PatchOperation& op, const AttributeLookup& at) {
    const AttributeDef& attr = *at.attr;
    if (op.op == PatchOpKind::kRemove) {
      // Entra/Okta: remove with a value lists the values to remove.
      if (op.value && !op.value->is_null() && attr.multi_valued) return RemoveListed(op, at);
      if (Current(at) == nullptr) return Status::Ok();
      PORTICO_RETURN_IF_ERROR(CheckRemovable(attr, op));
      Erase(at);
      return Status::Ok();
    }
    if (attr.type == AttrType::kComplex && !attr.multi_valued) {
      const Json raw = NormalizeValueForCompat(attr, *op.value);
      if (raw.is_null()) return UnassignUnlessAdd(op, at);
      // RFC 7644 §3.5.2.1 / §3.5.2.3: a complex target takes the sub-attributes given.
      PORTICO_ASSIGN_OR_RETURN(Json merged, MergeComplex(attr, Current(at), raw, op.path_text));
      if (merged.as_object().empty()) return UnassignUnlessAdd(op, at);
      Set(at, std::move(merged));
      return Status::Ok();
    }
    PORTICO_ASSIGN_OR_RETURN(Json value, Prepare(attr, op));
    if (value.is_null()) return UnassignUnlessAdd(op, at);
    if (!attr.multi_valued) {
      Set(at, std::move(value));
      return Status::Ok();
    }
    if (op.op == PatchOpKind::kReplace) {
      Set(at, std::move(value));  // validated: at most one primary
      return Status::Ok();
    }
    // RFC 7644 §3.5.2.1: add appends; a value already there changes nothing.
    Json::Array elements = CurrentElements(at);
    std::vector<size_t> touched;
    for (Json& element : value.as_array()) {
      size_t i = 0;
      while (i < elements.size() && !SameElement(elements[i], element)) ++i;
      if (i == elements.size()) elements.push_back(std::move(element));
      touched.push_back(i);
    }
    DemoteOtherPrimaries(elements, touched);
    return StoreElements(op, at, std::move(elements));
  }

  // add with null adds nothing; replace with null (or an empty value) unassigns.
  Status UnassignUnlessAdd(const PatchOperation& op, const AttributeLookup& at) {
    if (op.op == PatchOpKind::kAdd || Current(at) == nullptr) return Status::Ok();
    PORTICO_RETURN_IF_ERROR(CheckRemovable(*at.attr, op));
    Erase(at);
    return Status::Ok();
  }

  // Entra and Okta: `{"op":"remove","path":"emails","value":[{"value":"x"}]}` removes the
  // elements that have every sub-attribute value an item lists.
  Status RemoveListed(const PatchOperation& op, const AttributeLookup& at) {
    const AttributeDef& attr = *at.attr;
    const Json listed = NormalizeValueForCompat(attr, *op.value);
    for (const Json& item : listed.as_array()) {
      if (!item.is_object() || item.as_object().empty()) {
        return BadRequest(kInvalidValue,
                          "remove '" + op.path_text + "': 'value' must list the values to remove");
      }
      for (const auto& [name, unused] : item.as_object()) {
        if (attr.FindSub(name) == nullptr) {
          return BadRequest(kInvalidSyntax,
                            "attribute '" + op.path_text + "' has no sub-attribute '" + name + "'");
        }
      }
    }
    const auto listed_match = [&](const Json& element) {
      for (const Json& item : listed.as_array()) {
        bool all = true;
        for (const auto& [name, wanted] : item.as_object()) {
          const AttributeDef* sub = attr.FindSub(name);
          const Json* have = element.Find(sub->name);
          if (have == nullptr || !SameValue(*sub, *have, wanted)) {
            all = false;
            break;
          }
        }
        if (all) return true;
      }
      return false;
    };
    Json::Array elements = CurrentElements(at);
    std::erase_if(elements, listed_match);
    return StoreElements(op, at, std::move(elements));
  }

  // "name.givenName", "urn:…:User:manager.value": a sub-attribute of a single complex attribute.
  Status ApplySub(const PatchOperation& op, const AttributeLookup& at) {
    const AttributeDef& sub = *at.sub;
    Json value;
    if (op.op != PatchOpKind::kRemove) {
      PORTICO_ASSIGN_OR_RETURN(value, Prepare(sub, op));
    }
    const Json* current = Current(at);
    Json complex = current != nullptr && current->is_object() ? *current : Json::MakeObject();
    if (value.is_null()) {
      if (op.op == PatchOpKind::kAdd) return Status::Ok();
      if (complex.Find(sub.name) == nullptr) return Status::Ok();
      PORTICO_RETURN_IF_ERROR(CheckRemovable(sub, op));
      complex.Erase(sub.name);
      if (complex.as_object().empty()) {
        Erase(at);
        return Status::Ok();
      }
    } else {
      complex.Set(sub.name, std::move(value));
    }
    Set(at, std::move(complex));
    return Status::Ok();
  }

  // "emails.value" without a filter: the sub-attribute of every element.
  Status ApplyToEveryElement(const PatchOperation& op, const AttributeLookup& at) {
    const AttributeDef& sub = *at.sub;
    Json value;
    if (op.op != PatchOpKind::kRemove) {
      PORTICO_ASSIGN_OR_RETURN(value, Prepare(sub, op));
    }
    Json::Array elements = CurrentElements(at);
    if (value.is_null()) {
      if (op.op == PatchOpKind::kAdd) return Status::Ok();
      for (Json& element : elements) {
        if (element.is_object()) element.Erase(sub.name);
      }
      DropHollowElements(*at.attr, elements);
      return StoreElements(op, at, std::move(elements));
    }
    std::vector<size_t> touched;
    if (elements.empty()) {
      // RFC 7644 §3.5.2.3: a replace whose target does not exist is an add.
      elements.push_back(Json::MakeObject().Set(sub.name, std::move(value)));
      touched.push_back(0);
    } else {
      for (size_t i = 0; i < elements.size(); ++i) {
        if (elements[i].is_object()) elements[i].Set(sub.name, value);
        touched.push_back(i);
      }
    }
    DemoteOtherPrimaries(elements, touched);
    return StoreElements(op, at, std::move(elements));
  }

  // `emails[type eq "work"]` and `emails[type eq "work"].value`.
  Status ApplyFiltered(const PatchOperation& op, const AttributeLookup& at, const Filter& filter) {
    const AttributeDef& attr = *at.attr;
    const AttributeDef* sub = at.sub;
    Json::Array elements = CurrentElements(at);
    std::vector<size_t> matched;
    for (size_t i = 0; i < elements.size(); ++i) {
      if (MatchesValueFilter(filter, elements[i])) matched.push_back(i);
    }

    if (op.op == PatchOpKind::kRemove) {
      // RFC 7644 §3.5.2.2: the matching values (or their sub-attribute) are removed; nothing
      // matching leaves the resource as it is, so a repeated remove succeeds.
      return RemoveMatched(op, at, std::move(elements), matched);
    }

    if (sub != nullptr) {
      PORTICO_ASSIGN_OR_RETURN(Json value, Prepare(*sub, op));
      if (value.is_null()) {
        if (op.op == PatchOpKind::kAdd) return Status::Ok();
        return RemoveMatched(op, at, std::move(elements), matched);
      }
      if (matched.empty()) {
        // Entra: `emails[type eq "work"].value` on a user without a work email creates it.
        Json element = Json::MakeObject();
        if (!CollectEqualities(filter, element)) return NoMatch(op);
        element.Set(sub->name, std::move(value));
        PORTICO_ASSIGN_OR_RETURN(Json valid,
                                 ValidateAttributeValue(ElementDef(attr), element, op.path_text));
        elements.push_back(std::move(valid));
        matched.push_back(elements.size() - 1);
      } else {
        // RFC 7644 §3.5.2.3: the sub-attribute of all matching records is replaced.
        for (size_t i : matched) elements[i].Set(sub->name, value);
      }
      DemoteOtherPrimaries(elements, matched);
      return StoreElements(op, at, std::move(elements));
    }

    const AttributeDef element_def = ElementDef(attr);
    const Json raw = NormalizeValueForCompat(element_def, *op.value);
    if (raw.is_null()) {
      if (op.op == PatchOpKind::kAdd) return Status::Ok();
      return RemoveMatched(op, at, std::move(elements), matched);
    }
    if (matched.empty()) {
      Json element = Json::MakeObject();
      // RFC 7644 §3.5.2.3: replace with a filter that matches nothing is noTarget; an add
      // creates the element the filter describes.
      if (op.op != PatchOpKind::kAdd || !CollectEqualities(filter, element)) return NoMatch(op);
      PORTICO_ASSIGN_OR_RETURN(Json merged, MergeComplex(element_def, &element, raw, op.path_text));
      elements.push_back(std::move(merged));
      matched.push_back(elements.size() - 1);
    } else {
      for (size_t i : matched) {
        PORTICO_ASSIGN_OR_RETURN(elements[i],
                                 MergeComplex(element_def, &elements[i], raw, op.path_text));
      }
    }
    DemoteOtherPrimaries(elements, matched);
    DropHollowElements(attr, elements);
    return StoreElements(op, at, std::move(elements));
  }

  Status RemoveMatched(const PatchOperation& op, const AttributeLookup& at, Json::Array elements,
                       const std::vector<size_t>& matched) {
    if (matched.empty()) return Status::Ok();
    std::vector<bool> is_matched(elements.size(), false);
    for (size_t i : matched) is_matched[i] = true;
    if (at.sub == nullptr) {
      Json::Array kept;
      for (size_t i = 0; i < elements.size(); ++i) {
        if (!is_matched[i]) kept.push_back(std::move(elements[i]));
      }
      return StoreElements(op, at, std::move(kept));
    }
    PORTICO_RETURN_IF_ERROR(CheckRemovable(*at.sub, op));
    for (size_t i : matched) elements[i].Erase(at.sub->name);
    DropHollowElements(*at.attr, elements);
    return StoreElements(op, at, std::move(elements));
  }

  static Status NoMatch(const PatchOperation& op) {
    return BadRequest(kNoTarget, "no value matches '" + op.path_text + "'");
  }

  // User.password: writeOnly, never in the document; the caller hashes it.
  Status ApplyWriteOnly(const PatchOperation& op, const AttributeDef& attr) {
    if (op.op == PatchOpKind::kRemove) {
      return Mutability("'" + op.path_text + "' can be replaced but not removed");
    }
    PORTICO_ASSIGN_OR_RETURN(Json value, Prepare(attr, op));
    if (value.is_null()) {
      if (op.op == PatchOpKind::kAdd) return Status::Ok();
      return Mutability("'" + op.path_text + "' can be replaced but not removed");
    }
    password_ = value.as_string();
    return Status::Ok();
  }

  // RFC 7644 §3.5.2: an immutable value may be added when there was none, never changed.
  static Status CheckImmutable(const AttributeDef& attr, const std::optional<Json>& before,
                               const Json* after) {
    if (!before) return Status::Ok();
    const auto changed = [](const Json* was, const Json* now) {
      return was != nullptr && (now == nullptr || !(*now == *was));
    };
    if (attr.mutability == Mutability::kImmutable && changed(&*before, after)) {
      return Mutability("'" + attr.name + "' is immutable");
    }
    if (attr.type != AttrType::kComplex || attr.multi_valued || !before->is_object()) {
      return Status::Ok();
    }
    for (const AttributeDef& sub : attr.sub_attributes) {
      if (sub.mutability != Mutability::kImmutable) continue;
      const Json* now = after != nullptr && after->is_object() ? after->Find(sub.name) : nullptr;
      if (changed(before->Find(sub.name), now)) {
        return Mutability("'" + attr.name + "." + sub.name + "' is immutable");
      }
    }
    return Status::Ok();
  }

  // Group.members: never loaded, so every operation becomes part of one MemberChange.
  Status ApplyMembers(const PatchOperation& op, const AttributeDef& attr, const AttributeDef* sub) {
    if (sub != nullptr) {
      if (sub->mutability == Mutability::kReadOnly) {
        return Mutability("'" + op.path_text + "' is readOnly");
      }
      return Mutability("'" + op.path_text +
                        "' is immutable: add or remove members instead of changing one");
    }
    if (op.path.value_filter) {
      if (op.op != PatchOpKind::kRemove) {
        return Mutability(
            "a member's value, type and $ref are immutable: add or remove members "
            "instead of changing one");
      }
      std::vector<std::string> ids;
      if (!CollectMemberIds(*op.path.value_filter, ids)) {
        return BadRequest(kInvalidFilter, "'" + op.path_text +
                                              "': members are selected by value eq \"id\" "
                                              "(joined by or) only");
      }
      members_.Remove(ids);
      return Status::Ok();
    }
    if (op.op == PatchOpKind::kRemove) {
      if (!op.value || op.value->is_null()) {
        members_.RemoveAll();  // RFC 7644 §3.5.2.2: remove without filter removes all
        return Status::Ok();
      }
      PORTICO_ASSIGN_OR_RETURN(std::vector<MemberRef> refs, MemberRefs(op, attr));
      std::vector<std::string> ids;
      for (MemberRef& ref : refs) ids.push_back(std::move(ref.value));
      members_.Remove(ids);
      return Status::Ok();
    }
    PORTICO_ASSIGN_OR_RETURN(std::vector<MemberRef> refs, MemberRefs(op, attr));
    if (op.op == PatchOpKind::kAdd) {
      members_.Add(refs);
    } else {
      members_.Replace(refs);
    }
    return Status::Ok();
  }

  static Status MissingMemberValue(const PatchOperation& op) {
    return BadRequest(kInvalidValue, "every member in '" + op.path_text + "' needs a 'value'");
  }

  static StatusOr<std::vector<MemberRef>> MemberRefs(const PatchOperation& op,
                                                     const AttributeDef& attr) {
    const Json raw = NormalizeValueForCompat(attr, *op.value);
    PORTICO_ASSIGN_OR_RETURN(Json members, ValidateAttributeValue(attr, raw, op.path_text));
    std::vector<MemberRef> refs;
    // Validation drops elements left empty (only a readOnly display): each given one must count.
    const size_t given = raw.is_array() ? raw.as_array().size() : 0;
    const size_t kept = members.is_array() ? members.as_array().size() : 0;
    if (kept != given) return MissingMemberValue(op);
    if (kept == 0) return refs;
    for (const Json& member : members.as_array()) {
      const Json* value = member.Find("value");
      if (value == nullptr || value->as_string().empty()) return MissingMemberValue(op);
      const Json* type = member.Find("type");
      refs.push_back({value->as_string(), type != nullptr ? type->as_string() : ""});
    }
    return refs;
  }

  const ResourceType& type_;
  Json doc_;
  std::optional<std::string> password_;
  MemberChangeBuilder members_;
};

}  // namespace

StatusOr<PatchResult> ApplyPatch(const Json& document, const PatchRequest& request,
                                 const ResourceType& type) {
  if (!document.is_object()) return Internal("the stored SCIM document is not an object");
  Applier applier(type, document);
  for (const PatchOperation& op : request.operations) {
    Status status = applier.Apply(op);
    if (!status.ok()) return AtOperation(op.index, status);
  }
  // The result must still be a valid resource (required attributes, one primary per attribute).
  StatusOr<ValidatedResource> validated = ValidateResource(applier.document(), type);
  if (!validated.ok()) {
    const Status& s = validated.status();
    return Status(s.code(), "the patched resource is invalid: " + s.message())
        .WithTag(s.tag())
        .WithDetails(s.details());
  }
  PatchResult result;
  result.document = std::move(validated->document);
  result.password = applier.password();
  result.members = applier.members();
  result.changed =
      !(result.document == document) || result.password.has_value() || !result.members.empty();
  return result;
}

}  // namespace portico::scim
