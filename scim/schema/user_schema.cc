// RFC 7643 §4.1 and §4.3 (and the schema representation in §8.7.1): the User
// and Enterprise User attribute definitions.
#include "scim/schema/attribute_builder.h"
#include "scim/schema/resource_type.h"

namespace portico::scim {
namespace {

using namespace schema_builder;

SchemaDef BuildUserSchema() {
  SchemaDef s;
  s.id = std::string(kUserSchemaUrn);
  s.name = "User";
  s.description = "User Account";
  s.attributes = {
      With(Required(Str("userName",
                        "Unique identifier for the User, typically used by the user to directly "
                        "authenticate to the service provider. REQUIRED.")),
           Uniqueness::kServer),
      Complex("name", "The components of the user's real name.",
              {Str("formatted", "The full name, including all middle names, titles, and suffixes."),
               Str("familyName", "The family name of the User."),
               Str("givenName", "The given name of the User."),
               Str("middleName", "The middle name(s) of the User."),
               Str("honorificPrefix", "The honorific prefix(es) of the User."),
               Str("honorificSuffix", "The honorific suffix(es) of the User.")}),
      Str("displayName", "The name of the User, suitable for display to end-users."),
      Str("nickName", "The casual way to address the user in real life."),
      Refs(Attr("profileUrl", AttrType::kReference,
                "A fully qualified URL pointing to a page representing the User's online "
                "profile."),
           {"external"}),
      Str("title", "The user's title, such as \"Vice President.\""),
      Str("userType", "Used to identify the relationship between the organization and the user."),
      Str("preferredLanguage", "Indicates the User's preferred written or spoken language."),
      Str("locale", "Used to indicate the User's default location."),
      Str("timezone", "The User's time zone in the 'Olson' time zone database format."),
      Attr("active", AttrType::kBoolean,
           "A Boolean value indicating the User's administrative status."),
      With(With(Str("password", "The User's cleartext password, never returned."),
                Mutability::kWriteOnly),
           Returned::kNever),
      MultiValued("emails", "Email addresses for the user.", AttrType::kString,
                  {"work", "home", "other"}),
      MultiValued("phoneNumbers", "Phone numbers for the User.", AttrType::kString,
                  {"work", "home", "mobile", "fax", "pager", "other"}),
      MultiValued("ims", "Instant messaging addresses for the User.", AttrType::kString,
                  {"aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"}),
      MultiValued("photos", "URLs of photos of the User.", AttrType::kReference,
                  {"photo", "thumbnail"}),
      Multi(Complex("addresses", "A physical mailing address for this User.",
                    {Str("formatted", "The full mailing address, formatted for display."),
                     Str("streetAddress", "The full street address component."),
                     Str("locality", "The city or locality component."),
                     Str("region", "The state or region component."),
                     Str("postalCode", "The zip code or postal code component."),
                     Str("country", "The country name component."),
                     Canonical(Str("type", "A label indicating the attribute's function."),
                               {"work", "home", "other"}),
                     Attr("primary", AttrType::kBoolean,
                          "A Boolean value indicating the 'primary' or preferred address.")})),
      ReadOnly(Multi(Complex(
          "groups", "A list of groups to which the user belongs (computed).",
          {Str("value", "The identifier of the User's group."),
           Refs(Attr("$ref", AttrType::kReference, "The URI of the corresponding Group."),
                {"User", "Group"}),
           Str("display", "A human-readable name, primarily used for display purposes."),
           Canonical(Str("type", "direct or indirect membership."), {"direct", "indirect"})}))),
      MultiValued("entitlements", "A list of entitlements for the User.", AttrType::kString, {}),
      MultiValued("roles", "A list of roles for the User.", AttrType::kString, {}),
      MultiValued("x509Certificates", "A list of certificates issued to the User.",
                  AttrType::kBinary, {}),
  };
  // photos[].value references are external URLs.
  for (AttributeDef& attr : s.attributes) {
    if (attr.name == "photos") attr.sub_attributes[0].reference_types = {"external"};
  }
  return s;
}

SchemaDef BuildEnterpriseUserSchema() {
  SchemaDef s;
  s.id = std::string(kEnterpriseUserSchemaUrn);
  s.name = "EnterpriseUser";
  s.description = "Enterprise User";
  s.attributes = {
      Str("employeeNumber", "Numeric or alphanumeric identifier assigned to a person."),
      Str("costCenter", "Identifies the name of a cost center."),
      Str("organization", "Identifies the name of an organization."),
      Str("division", "Identifies the name of a division."),
      Str("department", "Identifies the name of a department."),
      Complex("manager", "The User's manager.",
              {Str("value", "The id of the SCIM resource representing the User's manager."),
               Refs(Attr("$ref", AttrType::kReference,
                         "The URI of the SCIM resource representing the User's manager."),
                    {"User"}),
               With(Str("displayName", "The displayName of the User's manager."),
                    Mutability::kReadOnly)}),
  };
  return s;
}

}  // namespace

const SchemaDef& UserSchema() {
  static const SchemaDef schema = BuildUserSchema();
  return schema;
}

const SchemaDef& EnterpriseUserSchema() {
  static const SchemaDef schema = BuildEnterpriseUserSchema();
  return schema;
}

}  // namespace portico::scim
