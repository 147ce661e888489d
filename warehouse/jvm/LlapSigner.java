// Stand-in for hive-llap-common's LlapSigner, which pip's pyspark does not
// ship. Hive's FunctionRegistry names LlapSigner.Signable (through the
// get_splits function) in its static initialiser; without the class that
// initialiser fails, and the Thrift server fails any session close that
// reaches it (SessionState.close -> Hive.get -> registerAllFunctionsOnce),
// now and then, mid-run. Nothing calls these methods: the class need only be
// there. warehouse/spark.py compiles this file for the Thrift server.
package org.apache.hadoop.hive.llap.security;

public interface LlapSigner {
  interface Signable {
    void setSignInfo(int masterKeyId);

    byte[] serialize() throws java.io.IOException;
  }
}
