"""Exit 0 when the MySQL/MariaDB server of the given URL answers; else print why and exit 1."""

import sys

import dj_database_url
import MySQLdb


def main(url: str) -> int:
    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.mysql":
        print(f"not a MySQL URL (engine {config['ENGINE']})")
        return 1
    try:
        connection = MySQLdb.connect(
            host=config["HOST"] or "127.0.0.1",
            port=int(config["PORT"] or 3306),
            user=config["USER"] or "root",
            password=config["PASSWORD"] or "",
            connect_timeout=3,
        )
    except MySQLdb.Error as exc:
        print(f"no MySQL/MariaDB server answers at {config['HOST']}:{config['PORT']} ({exc.args[-1]})")
        return 1
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
