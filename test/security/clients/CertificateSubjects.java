import java.io.FileInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
// Prints each certificate's subject as Java's X500Principal.getName() (RFC 2253), the id ZooKeeper's
// X509AuthenticationProvider gives a TLS client. usage: java CertificateSubjects.java <cert.pem>...
public class CertificateSubjects {
  public static void main(String[] args) throws Exception {
    CertificateFactory f = CertificateFactory.getInstance("X.509");
    for (String a : args) {
      X509Certificate c = (X509Certificate) f.generateCertificate(new FileInputStream(a));
      System.out.println(c.getSubjectX500Principal().getName());
    }
  }
}
