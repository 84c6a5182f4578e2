#include <gtest/gtest.h>

#include "db/open_database.h"

namespace portico::db {
namespace {

TEST(ParseDatabaseUrl, AcceptsSqliteFilePath) {
  StatusOr<DatabaseUrl> url = ParseDatabaseUrl("sqlite:/var/lib/portico/portico.db");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->dialect, Dialect::kSqlite);
  EXPECT_EQ(url->sqlite_path, "/var/lib/portico/portico.db");
}

TEST(ParseDatabaseUrl, AcceptsRelativeSqlitePath) {
  StatusOr<DatabaseUrl> url = ParseDatabaseUrl("sqlite:portico.db");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->sqlite_path, "portico.db");
}

TEST(ParseDatabaseUrl, AcceptsSqliteMemory) {
  StatusOr<DatabaseUrl> url = ParseDatabaseUrl("sqlite::memory:");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->dialect, Dialect::kSqlite);
  EXPECT_EQ(url->sqlite_path, ":memory:");
}

TEST(ParseDatabaseUrl, AcceptsBothPostgresSchemes) {
  for (const char* text : {"postgresql://user:pass@db.internal:5432/portico",
                           "postgres://user@127.0.0.1/portico?sslmode=disable"}) {
    StatusOr<DatabaseUrl> url = ParseDatabaseUrl(text);
    ASSERT_TRUE(url.ok()) << text;
    EXPECT_EQ(url->dialect, Dialect::kPostgres);
    EXPECT_EQ(url->postgres_conninfo, text);
  }
}

TEST(ParseDatabaseUrl, RejectsMalformedUrlsNamingTheSetting) {
  for (const char* text : {"", "portico.db", "mysql://localhost/portico", "sqlite:",
                           "sqlite://portico.db", "postgresql://", "postgres:/x", "SQLITE:x",
                           "postgresql://host/db name", "postgresql://host/db?nosuchoption=1"}) {
    StatusOr<DatabaseUrl> url = ParseDatabaseUrl(text);
    ASSERT_FALSE(url.ok()) << "accepted: " << text;
    EXPECT_EQ(url.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(url.status().message().find("DATABASE_URL"), std::string::npos) << text;
  }
}

TEST(RedactDatabaseUrl, HidesThePassword) {
  EXPECT_EQ(RedactDatabaseUrl("postgresql://app:s3cr%40t@db:5432/portico"),
            "postgresql://app:***@db:5432/portico");
  EXPECT_EQ(RedactDatabaseUrl("postgresql://db/portico?user=app&password=s3cret&x=1"),
            "postgresql://db/portico?user=app&password=***&x=1");
  EXPECT_EQ(RedactDatabaseUrl("postgresql://app@db/portico"), "postgresql://app@db/portico");
}

}  // namespace
}  // namespace portico::db
