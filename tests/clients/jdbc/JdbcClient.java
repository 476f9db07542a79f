// pgjdbc (Debian's libpostgresql-jdbc-java) against the server: DatabaseMetaData (getTables,
// getColumns, getPrimaryKeys, getTypeInfo), batch inserts, PreparedStatement with timestamp
// and double parameters run more than prepareThreshold (5) times, so that the driver switches
// to a named statement and binary transfer. Usage: java JdbcClient HOST PORT TARGET.
import java.sql.*;
import java.util.*;

public class JdbcClient {
    static void show(String label, Object value) {
        System.out.println(label + ": " + value);
    }

    static List<String> row(ResultSet rs, String... cols) throws SQLException {
        List<String> out = new ArrayList<>();
        for (String c : cols) out.add(c + "=" + rs.getString(c));
        return out;
    }

    public static void main(String[] args) throws Exception {
        String host = args[0], port = args[1], target = args[2];
        Properties p = new Properties();
        p.setProperty("user", "plantdb");
        // Binary transfer for these types once a statement is prepared server-side.
        p.setProperty("binaryTransferEnable", "timestamp,float8,int8,int4");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/plantdb", p)) {
            Statement st = c.createStatement();
            st.execute("SET TIME ZONE 'UTC'");
            String ddl = "CREATE TABLE readings (ts timestamp NOT NULL, machine varchar(16) NOT NULL, "
                + "temperature double precision, count bigint, ok boolean, PRIMARY KEY (machine, ts))";
            if (target.equals("plantdb")) ddl += " WITH (timestamp = 'ts', tags = 'machine')";
            st.execute(ddl);
            st.execute("CREATE TABLE machines (id integer PRIMARY KEY, name text NOT NULL, capacity numeric(10,2))");

            // Batch insert: 3 machines x 20 readings.
            c.setAutoCommit(false);
            Timestamp t0 = Timestamp.valueOf("2024-03-01 08:00:00");
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO readings (ts, machine, temperature, count, ok) VALUES (?, ?, ?, ?, ?)")) {
                for (int m = 1; m <= 3; m++) {
                    for (int i = 0; i < 20; i++) {
                        ins.setTimestamp(1, new Timestamp(t0.getTime() + i * 60_000L));
                        ins.setString(2, "m" + m);
                        ins.setDouble(3, 20 + m + 0.25 * i);
                        ins.setLong(4, 10L * i);
                        if (i % 5 == 4) ins.setNull(5, Types.BOOLEAN); else ins.setBoolean(5, i % 2 == 0);
                        ins.addBatch();
                    }
                }
                int[] counts = ins.executeBatch();
                show("batch statements", counts.length + ", rows " + Arrays.stream(counts).sum());
            }
            c.commit();
            c.setAutoCommit(true);

            // The same PreparedStatement 8 times: from the 5th execution pgjdbc uses a named
            // server-side statement and asks for binary results.
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT machine, count(*), avg(temperature), max(ts), sum(count) FROM readings "
                    + "WHERE ts >= ? AND temperature > ? GROUP BY machine ORDER BY machine")) {
                for (int k = 0; k < 8; k++) {
                    q.setTimestamp(1, new Timestamp(t0.getTime() + k * 120_000L));
                    q.setDouble(2, 21.0 + 0.5 * k);
                    List<String> rows = new ArrayList<>();
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            rows.add(rs.getString(1) + "/" + rs.getLong(2) + "/" + rs.getDouble(3) + "/"
                                + rs.getTimestamp(4) + "/" + rs.getBigDecimal(5));
                        }
                    }
                    show("execution " + (k + 1), rows);
                }
                show("server prepared", q.unwrap(org.postgresql.PGStatement.class).isUseServerPrepare());
            }
            try (PreparedStatement q = c.prepareStatement("SELECT ?::float8 * 2, ?::timestamp + interval '1 hour', ?::int8")) {
                for (int k = 0; k < 7; k++) {
                    q.setDouble(1, k + 0.5);
                    q.setTimestamp(2, Timestamp.valueOf("2024-02-29 23:30:00"));
                    q.setLong(3, Long.MIN_VALUE + k);
                    try (ResultSet rs = q.executeQuery()) {
                        rs.next();
                        if (k == 0 || k == 6) show("typed " + k, rs.getDouble(1) + " " + rs.getTimestamp(2) + " " + rs.getLong(3));
                    }
                }
            }

            DatabaseMetaData md = c.getMetaData();
            show("product", md.getDatabaseProductName());
            show("identifier case", md.storesLowerCaseIdentifiers());
            try (ResultSet rs = md.getTables(null, "public", "%", new String[] {"TABLE", "VIEW"})) {
                while (rs.next()) show("table", row(rs, "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE"));
            }
            for (String t : new String[] {"readings", "machines"}) {
                try (ResultSet rs = md.getColumns(null, "public", t, "%")) {
                    while (rs.next()) {
                        show("column", row(rs, "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME", "COLUMN_SIZE",
                            "DECIMAL_DIGITS", "NULLABLE", "ORDINAL_POSITION", "IS_NULLABLE", "IS_AUTOINCREMENT"));
                    }
                }
                try (ResultSet rs = md.getPrimaryKeys(null, "public", t)) {
                    while (rs.next()) show("primary key", row(rs, "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ", "PK_NAME"));
                }
            }
            List<String> types = new ArrayList<>();
            try (ResultSet rs = md.getTypeInfo()) {
                while (rs.next()) {
                    String name = rs.getString("TYPE_NAME");
                    if (Arrays.asList("int2", "int4", "int8", "float4", "float8", "numeric", "bool", "text", "varchar",
                            "bytea", "date", "timestamp", "timestamptz", "uuid", "jsonb").contains(name)) {
                        types.add(name + ":" + rs.getInt("DATA_TYPE") + ":" + rs.getInt("PRECISION") + ":"
                            + rs.getShort("NULLABLE") + ":" + rs.getBoolean("CASE_SENSITIVE") + ":" + rs.getShort("SEARCHABLE"));
                    }
                }
            }
            Collections.sort(types);
            show("type info", types);

            try {
                st.executeQuery("SELECT * FROM nope");
            } catch (SQLException e) {
                show("error", e.getSQLState());
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM readings")) {
                rs.next();
                show("count", rs.getLong(1));
            }
        }
    }
}
