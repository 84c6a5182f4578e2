#include "db/filter_sql.h"

#include <string>
#include <utility>

#include "portico/case_fold.h"
#include "scim/filter/ast.h"
#include "scim/schema/resource_type.h"
#include "scim/scim_errors.h"

namespace portico::db {
namespace {

using scim::CompareOp;
using scim::Filter;
using scim::Literal;
using scim::ResolvedAttr;

constexpr char kTrue[] = "(1 = 1)";
constexpr char kFalse[] = "(1 = 0)";

// What a filter attribute is compared against.
struct Operand {
  enum class Kind {
    kText,      // an expression holding text (folded unless the attribute is caseExact)
    kBoolean,   // an expression holding 0 / 1 / NULL
    kMillis,    // an expression holding Unix milliseconds, never NULL
    kConstant,  // one value for every row, evaluated here (meta.resourceType, groups.type)
  };
  Kind kind = Kind::kText;
  std::string sql;       // kText, kBoolean, kMillis
  std::string constant;  // kConstant: the value as the resource shows it
};

// Where the elements of a multi-valued attribute live.
enum class ElementSource { kUserValues, kUserGroups, kGroupMembers };

struct Element {
  ElementSource source;
  const ValuesAttribute* values = nullptr;  // kUserValues
  bool* needs_member_names = nullptr;       // kGroupMembers: display needs the joins
};

Status Unsupported(const ResolvedAttr& attr) {
  return scim::BadRequest(scim::kInvalidFilter,
                          "filtering on '" + scim::PathToString(attr) + "' is not supported");
}

bool IsCommon(const ResolvedAttr& attr, std::string_view name) {
  return scim::IsCoreSchemaUrn(attr.urn) && attr.attr == name;
}

// The same tests as the evaluator's, for values known here (constants).
bool CompareConstant(std::string_view value, std::string_view literal, CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return value == literal;
    case CompareOp::kNe:
      return value != literal;
    case CompareOp::kCo:
      return value.find(literal) != std::string_view::npos;
    case CompareOp::kSw:
      return value.substr(0, literal.size()) == literal;
    case CompareOp::kEw:
      return value.size() >= literal.size() &&
             value.substr(value.size() - literal.size()) == literal;
    case CompareOp::kGt:
      return value.compare(literal) > 0;
    case CompareOp::kGe:
      return value.compare(literal) >= 0;
    case CompareOp::kLt:
      return value.compare(literal) < 0;
    case CompareOp::kLe:
      return value.compare(literal) <= 0;
  }
  return false;
}

const char* OrderingSql(CompareOp op) {
  switch (op) {
    case CompareOp::kGt:
      return " > ";
    case CompareOp::kGe:
      return " >= ";
    case CompareOp::kLt:
      return " < ";
    case CompareOp::kLe:
      return " <= ";
    default:
      return " = ";
  }
}

class Translator {
 public:
  Translator(DirectoryResource resource, Dialect dialect, std::string_view tenant_id,
             SqlBuilder& out)
      : resource_(resource), dialect_(dialect), tenant_id_(tenant_id), out_(out) {}

  Status Node(const Filter& f, const Element* element) {
    switch (f.kind) {
      case Filter::Kind::kAnd:
      case Filter::Kind::kOr:
        out_.Append("(");
        PORTICO_RETURN_IF_ERROR(Node(f.children[0], element));
        out_.Append(f.kind == Filter::Kind::kAnd ? " AND " : " OR ");
        PORTICO_RETURN_IF_ERROR(Node(f.children[1], element));
        out_.Append(")");
        return Status::Ok();
      case Filter::Kind::kNot:
        out_.Append("(NOT ");
        PORTICO_RETURN_IF_ERROR(Node(f.children[0], element));
        out_.Append(")");
        return Status::Ok();
      case Filter::Kind::kValuePath:
        if (element != nullptr) return Unsupported(f.attr);  // the parser never nests [ ]
        return ValuePath(f);
      case Filter::Kind::kCompare:
      case Filter::Kind::kPresent:
        if (element != nullptr) return ElementLeaf(f, *element);
        return Leaf(f);
    }
    return Unsupported(f.attr);
  }

 private:
  // ---- top level: attributes of the row --------------------------------

  Status Leaf(const Filter& f) {
    const ResolvedAttr& a = f.attr;
    if (a.multi_valued) {
      std::optional<Element> element = ElementOf(a);
      if (!element) return Unsupported(a);
      // ne is not eq: no element equals (also true when there is none).
      const bool negate = f.kind == Filter::Kind::kCompare && f.op == CompareOp::kNe;
      if (negate) out_.Append("(NOT ");
      PORTICO_RETURN_IF_ERROR(ElementSubquery(*element, [&]() -> Status {
        if (a.sub.empty()) {
          if (f.kind != Filter::Kind::kPresent) return Unsupported(a);
          return ElementPresent(*element);
        }
        PORTICO_ASSIGN_OR_RETURN(Operand operand, ElementOperand(a, *element));
        return Predicate(f, operand, negate ? CompareOp::kEq : f.op);
      }));
      if (negate) out_.Append(")");
      return Status::Ok();
    }
    if (a.sub.empty() && a.type == scim::AttrType::kComplex) {
      if (f.kind != Filter::Kind::kPresent) return Unsupported(a);
      return ComplexPresent(a);
    }
    PORTICO_ASSIGN_OR_RETURN(Operand operand, RowOperand(a));
    const bool negate = f.kind == Filter::Kind::kCompare && f.op == CompareOp::kNe;
    if (negate) out_.Append("(NOT ");
    PORTICO_RETURN_IF_ERROR(Predicate(f, operand, negate ? CompareOp::kEq : f.op));
    if (negate) out_.Append(")");
    return Status::Ok();
  }

  // A single-valued attribute (or sub-attribute of a single-valued complex one).
  StatusOr<Operand> RowOperand(const ResolvedAttr& a) {
    if (IsCommon(a, "id") && a.sub.empty()) return Operand{Operand::Kind::kText, "r.id", ""};
    if (IsCommon(a, "meta")) {
      if (a.sub == "created") return Operand{Operand::Kind::kMillis, "r.created_at", ""};
      if (a.sub == "lastModified") return Operand{Operand::Kind::kMillis, "r.updated_at", ""};
      if (a.sub == "resourceType") {
        return Operand{Operand::Kind::kConstant, "",
                       resource_ == DirectoryResource::kUser ? "User" : "Group"};
      }
      return Unsupported(a);  // location, version: not stored
    }
    const ScalarColumn* column = FindScalarColumn(resource_, a);
    if (column == nullptr) return Unsupported(a);
    return Operand{
        column->kind == ColumnKind::kBoolean ? Operand::Kind::kBoolean : Operand::Kind::kText,
        std::string("r.") + column->column, ""};
  }

  // The stored sub-attribute columns of a single-valued complex attribute.
  std::vector<const ScalarColumn*> ComplexColumns(const ResolvedAttr& a) {
    std::vector<const ScalarColumn*> out;
    for (const ScalarColumn& c : ScalarColumns(resource_)) {
      if (c.urn == a.urn && c.attr == a.attr && !c.sub.empty()) out.push_back(&c);
    }
    return out;
  }

  // `name pr`: some sub-attribute is present.
  Status ComplexPresent(const ResolvedAttr& a) {
    if (IsCommon(a, "meta")) {
      out_.Append(kTrue);  // created is always there
      return Status::Ok();
    }
    std::vector<const ScalarColumn*> columns = ComplexColumns(a);
    if (columns.empty()) return Unsupported(a);
    out_.Append("(");
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) out_.Append(" OR ");
      const ScalarColumn& c = *columns[i];
      Present(
          Operand{c.kind == ColumnKind::kBoolean ? Operand::Kind::kBoolean : Operand::Kind::kText,
                  std::string("r.") + c.column, ""});
    }
    out_.Append(")");
    return Status::Ok();
  }

  Status ValuePath(const Filter& f) {
    const ResolvedAttr& parent = f.attr;
    if (parent.multi_valued) {
      std::optional<Element> element = ElementOf(parent);
      if (!element) return Unsupported(parent);
      return ElementSubquery(*element, [&]() -> Status { return Node(f.children[0], &*element); });
    }
    // A single complex value is the one element; its sub-attributes are row columns. An
    // absent parent has no element.
    out_.Append("(");
    if (IsCommon(parent, "meta")) {
      out_.Append(kTrue);
    } else {
      std::vector<const ScalarColumn*> columns = ComplexColumns(parent);
      if (columns.empty()) return Unsupported(parent);
      out_.Append("(");
      for (size_t i = 0; i < columns.size(); ++i) {
        if (i > 0) out_.Append(" OR ");
        out_.Append("r.").Append(columns[i]->column).Append(" IS NOT NULL");
      }
      out_.Append(")");
    }
    out_.Append(" AND ");
    PORTICO_RETURN_IF_ERROR(Node(f.children[0], nullptr));
    out_.Append(")");
    return Status::Ok();
  }

  // ---- elements of multi-valued attributes -----------------------------

  std::optional<Element> ElementOf(const ResolvedAttr& a) {
    if (resource_ == DirectoryResource::kUser) {
      if (!scim::IsCoreSchemaUrn(a.urn)) return std::nullopt;
      if (a.attr == "groups") return Element{ElementSource::kUserGroups};
      if (const ValuesAttribute* values = FindValuesAttribute(a.attr)) {
        return Element{ElementSource::kUserValues, values};
      }
      return std::nullopt;
    }
    if (scim::IsCoreSchemaUrn(a.urn) && a.attr == "members") {
      return Element{ElementSource::kGroupMembers, nullptr, &needs_member_names_};
    }
    return std::nullopt;
  }

  // The rows with an element for which `body` (a predicate over the element's alias) is true.
  // SQLite: `r.id IN (SELECT … WHERE tenant AND <body>)`, materialised once per statement.
  // PostgreSQL: a correlated EXISTS on the index that starts with the row's id. Before a
  // table is analysed it estimates one row per tenant and picks nested loops; an uncorrelated
  // IN (or a tenant term an index could also serve) then made each probe scan the tenant's
  // rows (quadratic), while this probe is one index seek.
  template <class Body>
  Status ElementSubquery(const Element& element, Body&& body) {
    const bool pg = dialect_ == Dialect::kPostgres;
    switch (element.source) {
      case ElementSource::kUserValues:
        if (pg) {
          // No tenant term: the primary key (user_id, attr, …) must be the index it probes.
          out_.Append("EXISTS (SELECT 1 FROM user_values uv WHERE uv.user_id = r.id");
        } else {
          out_.Append("r.id IN (SELECT uv.user_id FROM user_values uv WHERE uv.tenant_id = ")
              .Bind(SqlParam::Text(std::string(tenant_id_)));
        }
        out_.Append(" AND uv.attr = '")
            .Append(element.values->attr)  // from the allow-list, never from the request
            .Append("' AND ");
        PORTICO_RETURN_IF_ERROR(body());
        out_.Append(")");
        return Status::Ok();
      case ElementSource::kUserGroups:
        if (pg) {
          out_.Append(
              "EXISTS (SELECT 1 FROM group_members gm JOIN directory_groups g "
              "ON g.id = gm.group_id WHERE gm.member_id = r.id AND gm.tenant_id = r.tenant_id");
        } else {
          out_.Append(
                  "r.id IN (SELECT gm.member_id FROM group_members gm JOIN directory_groups g "
                  "ON g.id = gm.group_id WHERE gm.tenant_id = ")
              .Bind(SqlParam::Text(std::string(tenant_id_)));
        }
        out_.Append(" AND gm.member_type = 'User' AND ");
        PORTICO_RETURN_IF_ERROR(body());
        out_.Append(")");
        return Status::Ok();
      case ElementSource::kGroupMembers: {
        // The joins for members.display are only added when the body uses them.
        out_.Append(pg ? "EXISTS (SELECT 1 FROM group_members gm"
                       : "r.id IN (SELECT gm.group_id FROM group_members gm");
        const size_t joins_at = out_.sql.size();
        if (pg) {
          out_.Append(" WHERE gm.group_id = r.id AND ");  // the primary key's leading column
        } else {
          out_.Append(" WHERE gm.tenant_id = ")
              .Bind(SqlParam::Text(std::string(tenant_id_)))
              .Append(" AND ");
        }
        needs_member_names_ = false;
        PORTICO_RETURN_IF_ERROR(body());
        out_.Append(")");
        if (needs_member_names_) {
          out_.sql.insert(joins_at,
                          " LEFT JOIN users mu ON gm.member_type = 'User' AND mu.id = gm.member_id"
                          " LEFT JOIN directory_groups mg ON gm.member_type = 'Group'"
                          " AND mg.id = gm.member_id");
        }
        return Status::Ok();
      }
    }
    return Status::Ok();
  }

  // `emails pr`: the element has a present sub-attribute.
  Status ElementPresent(const Element& element) {
    if (element.source != ElementSource::kUserValues) {
      // Group and member elements always show a value and a type.
      out_.Append(kTrue);
      return Status::Ok();
    }
    out_.Append("(");
    const std::vector<ValueColumn>& columns = element.values->columns;
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) out_.Append(" OR ");
      Present(ValueOperand(columns[i]));
    }
    out_.Append(")");
    return Status::Ok();
  }

  static Operand ValueOperand(const ValueColumn& c) {
    return Operand{c.kind == ColumnKind::kBoolean ? Operand::Kind::kBoolean : Operand::Kind::kText,
                   std::string("uv.") + c.column, ""};
  }

  StatusOr<Operand> ElementOperand(const ResolvedAttr& a, const Element& element) {
    switch (element.source) {
      case ElementSource::kUserValues: {
        const ValueColumn* column = FindValueColumn(*element.values, a.sub);
        if (column == nullptr) return Unsupported(a);
        return ValueOperand(*column);
      }
      case ElementSource::kUserGroups:
        // Ids are server-made lowercase UUIDs: already in folded form.
        if (a.sub == "value") return Operand{Operand::Kind::kText, "gm.group_id", ""};
        if (a.sub == "display") return Operand{Operand::Kind::kText, "g.display_name_key", ""};
        if (a.sub == "type") return Operand{Operand::Kind::kConstant, "", "direct"};
        return Unsupported(a);  // $ref: made by the HTTP layer, not stored
      case ElementSource::kGroupMembers:
        if (a.sub == "value") return Operand{Operand::Kind::kText, "gm.member_id", ""};
        // 'User' / 'Group' are ASCII: lower() is their case folding on both dialects.
        if (a.sub == "type") return Operand{Operand::Kind::kText, "lower(gm.member_type)", ""};
        if (a.sub == "display") {
          *element.needs_member_names = true;
          return Operand{Operand::Kind::kText,
                         "CASE WHEN gm.member_type = 'User' THEN mu.m_display_name "
                         "ELSE mg.display_name_key END",
                         ""};
        }
        return Unsupported(a);
    }
    return Unsupported(a);
  }

  Status ElementLeaf(const Filter& f, const Element& element) {
    if (f.attr.sub.empty()) return Unsupported(f.attr);
    PORTICO_ASSIGN_OR_RETURN(Operand operand, ElementOperand(f.attr, element));
    const bool negate = f.kind == Filter::Kind::kCompare && f.op == CompareOp::kNe;
    if (negate) out_.Append("(NOT ");
    PORTICO_RETURN_IF_ERROR(Predicate(f, operand, negate ? CompareOp::kEq : f.op));
    if (negate) out_.Append(")");
    return Status::Ok();
  }

  // ---- predicates over one operand --------------------------------------

  // `f` is kPresent or kCompare (then `op` is never ne).
  Status Predicate(const Filter& f, const Operand& operand, CompareOp op) {
    if (f.kind == Filter::Kind::kPresent) {
      Present(operand);
      return Status::Ok();
    }
    return Compare(f.attr, operand, op, f.value);
  }

  void Present(const Operand& operand) {
    switch (operand.kind) {
      case Operand::Kind::kText:
        out_.Append("(").Append(operand.sql).Append(" IS NOT NULL AND ").Append(operand.sql);
        out_.Append(" <> '')");
        return;
      case Operand::Kind::kBoolean:
      case Operand::Kind::kMillis:
        out_.Append("(").Append(operand.sql).Append(" IS NOT NULL)");
        return;
      case Operand::Kind::kConstant:
        out_.Append(operand.constant.empty() ? kFalse : kTrue);
        return;
    }
  }

  Status Compare(const ResolvedAttr& a, const Operand& operand, CompareOp op,
                 const Literal& literal) {
    switch (operand.kind) {
      case Operand::Kind::kConstant: {
        if (literal.kind != Literal::Kind::kString) return Unsupported(a);
        const bool fold = !a.case_exact;
        const bool result = CompareConstant(fold ? FoldCase(operand.constant) : operand.constant,
                                            fold ? FoldCase(literal.text) : literal.text, op);
        out_.Append(result ? kTrue : kFalse);
        return Status::Ok();
      }
      case Operand::Kind::kBoolean:
        if (literal.kind != Literal::Kind::kBoolean || op != CompareOp::kEq) return Unsupported(a);
        out_.Append("(").Append(operand.sql).Append(" IS NOT NULL AND ").Append(operand.sql);
        out_.Append(" = ").Bind(SqlParam::Integer(literal.boolean ? 1 : 0)).Append(")");
        return Status::Ok();
      case Operand::Kind::kMillis:
        if (literal.kind != Literal::Kind::kDateTime || op == CompareOp::kCo ||
            op == CompareOp::kSw || op == CompareOp::kEw) {
          return Unsupported(a);
        }
        out_.Append("(").Append(operand.sql).Append(OrderingSql(op));
        out_.Bind(SqlParam::Integer(literal.millis)).Append(")");
        return Status::Ok();
      case Operand::Kind::kText:
        break;
    }
    if (literal.kind != Literal::Kind::kString) return Unsupported(a);
    const std::string value = a.case_exact ? literal.text : FoldCase(literal.text);
    const std::string& e = operand.sql;
    out_.Append("(").Append(e).Append(" IS NOT NULL AND ");
    const char* find = dialect_ == Dialect::kPostgres ? "strpos(" : "instr(";
    switch (op) {
      case CompareOp::kCo:
        out_.Append(find).Append(e).Append(", ").Bind(SqlParam::Text(value)).Append(") > 0");
        break;
      case CompareOp::kSw:
        // The first occurrence is at the start exactly when it is a prefix (also for "").
        out_.Append(find).Append(e).Append(", ").Bind(SqlParam::Text(value)).Append(") = 1");
        break;
      case CompareOp::kEw:
        // Lengths and substr in the database's own unit (characters), on both sides alike.
        out_.Append("length(").Append(e).Append(") >= length(CAST(");
        out_.Bind(SqlParam::Text(value)).Append(" AS TEXT)) AND substr(").Append(e);
        out_.Append(", length(").Append(e).Append(") - length(CAST(");
        out_.Bind(SqlParam::Text(value)).Append(" AS TEXT)) + 1) = ");
        out_.Bind(SqlParam::Text(value));
        break;
      default:
        out_.Append(e).Append(OrderingSql(op)).Bind(SqlParam::Text(value));
        break;
    }
    out_.Append(")");
    return Status::Ok();
  }

  DirectoryResource resource_;
  Dialect dialect_;
  std::string_view tenant_id_;
  SqlBuilder& out_;
  bool needs_member_names_ = false;
};

}  // namespace

SqlParam SqlParam::Text(std::string value) {
  SqlParam p;
  p.kind = Kind::kText;
  p.text = std::move(value);
  return p;
}

SqlParam SqlParam::Integer(long long value) {
  SqlParam p;
  p.kind = Kind::kInteger;
  p.integer = value;
  return p;
}

SqlBuilder& SqlBuilder::Append(std::string_view text) {
  sql += text;
  return *this;
}

SqlBuilder& SqlBuilder::Bind(SqlParam param) {
  sql += ":p";
  sql += std::to_string(params.size());
  params.push_back(std::move(param));
  return *this;
}

Status AppendFilterSql(const scim::Filter& filter, DirectoryResource resource, Dialect dialect,
                       std::string_view tenant_id, SqlBuilder& out) {
  Translator translator(resource, dialect, tenant_id, out);
  return translator.Node(filter, nullptr);
}

StatusOr<std::optional<SortExpression>> SortSql(const scim::ResolvedAttr& attr,
                                                DirectoryResource resource) {
  const auto unsupported = [&] {
    return scim::BadRequest(scim::kInvalidValue,
                            "sorting by '" + scim::PathToString(attr) + "' is not supported");
  };
  if (IsCommon(attr, "id") && attr.sub.empty()) return std::optional(SortExpression{"r.id", false});
  if (IsCommon(attr, "meta")) {
    if (attr.sub == "created") return std::optional(SortExpression{"r.created_at", true});
    if (attr.sub == "lastModified") return std::optional(SortExpression{"r.updated_at", true});
    if (attr.sub == "resourceType") return std::optional<SortExpression>();
    return unsupported();
  }
  if (const ScalarColumn* column = FindScalarColumn(resource, attr)) {
    return std::optional(
        SortExpression{std::string("r.") + column->column, column->kind == ColumnKind::kBoolean});
  }
  if (resource == DirectoryResource::kUser && attr.multi_valued &&
      scim::IsCoreSchemaUrn(attr.urn)) {
    if (const ValuesAttribute* values = FindValuesAttribute(attr.attr)) {
      // RFC 7644 §3.4.2.3: the primary value if any, else the first.
      const ValueColumn* column =
          FindValueColumn(*values, attr.sub.empty() ? std::string_view("value") : attr.sub);
      if (column == nullptr) return unsupported();
      return std::optional(SortExpression{
          std::string("(SELECT uv.") + column->column +
              " FROM user_values uv WHERE uv.user_id = r.id AND uv.attr = '" + values->attr +
              "' ORDER BY CASE WHEN uv.is_primary = 1 THEN 0 ELSE 1 END, uv.ord LIMIT 1)",
          column->kind == ColumnKind::kBoolean});
    }
  }
  return unsupported();
}

}  // namespace portico::db
