// PadesCheck: an independent check of hourseal's PDF signatures with
// PDFBox (the signature dictionary and byte ranges) and BouncyCastle (the
// CMS): one signer, valid signature over the signed bytes, the ESS
// signing-certificate-v2 hash of the signing certificate, no
// signing-time, the chain up to the trust anchor given, and with --tsa
// the RFC 3161 token's imprint (SHA-256 of the signature value) and its
// signature.
//
//   java -cp ... PadesCheck FILE.pdf CA.pem [--tsa]
//
// Prints "ok ..." per check, "FAIL ..." and exits 1 on the first failure.
import java.io.File;
import java.io.FileInputStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.Security;
import java.security.cert.*;
import java.util.*;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.interactive.digitalsignature.PDSignature;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.ess.SigningCertificateV2;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.*;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.tsp.TimeStampToken;
import org.bouncycastle.util.Store;

public class PadesCheck {
    static void fail(String m) {
        System.out.println("FAIL " + m);
        System.exit(1);
    }

    static void ok(String m) {
        System.out.println("ok " + m);
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] a) throws Exception {
        Security.addProvider(new BouncyCastleProvider());
        File f = new File(a[0]);
        byte[] all = Files.readAllBytes(f.toPath());
        boolean wantTsa = a.length > 2 && a[2].equals("--tsa");
        try (PDDocument doc = PDDocument.load(f)) {
            List<PDSignature> sigs = doc.getSignatureDictionaries();
            if (sigs.size() != 1) fail("signatures: " + sigs.size());
            PDSignature s = sigs.get(0);
            if (!"ETSI.CAdES.detached".equals(s.getSubFilter()))
                fail("SubFilter " + s.getSubFilter());
            if (s.getSignDate() == null) fail("no /M");
            int[] br = s.getByteRange();
            if (br[0] != 0 || (long) br[2] + br[3] != all.length)
                fail("the byte range does not cover the whole file");
            ok("one ETSI.CAdES.detached signature covering the whole file, /M " +
               s.getSignDate().getTime().toInstant());
            byte[] content = s.getSignedContent(all);
            byte[] cms = s.getContents(all);
            CMSSignedData sd = new CMSSignedData(new CMSProcessableByteArray(content), cms);
            Collection<SignerInformation> signers = sd.getSignerInfos().getSigners();
            if (signers.size() != 1) fail("signers: " + signers.size());
            SignerInformation si = signers.iterator().next();
            Store<X509CertificateHolder> certs = sd.getCertificates();
            Collection<X509CertificateHolder> mine = certs.getMatches(si.getSID());
            if (mine.size() != 1) fail("the signing certificate is not in the CMS");
            X509CertificateHolder h = mine.iterator().next();
            try {
                if (!si.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(h)))
                    fail("the CMS signature does not verify");
            } catch (CMSSignerDigestMismatchException e) {
                fail("digest mismatch: the signed bytes changed");
            }
            ok("CMS signature valid (" + si.getEncryptionAlgOID() + ") by " + h.getSubject());
            AttributeTable at = si.getSignedAttributes();
            if (at.get(CMSAttributes.signingTime) != null) fail("a signing-time attribute");
            if (at.get(CMSAttributes.contentType) == null || at.get(CMSAttributes.messageDigest) == null)
                fail("content-type or message-digest missing");
            Attribute ess = at.get(PKCSObjectIdentifiers.id_aa_signingCertificateV2);
            if (ess == null) fail("no ESS signing-certificate-v2");
            SigningCertificateV2 sc = SigningCertificateV2.getInstance(ess.getAttrValues().getObjectAt(0));
            byte[] want = MessageDigest.getInstance("SHA-256").digest(h.getEncoded());
            if (!Arrays.equals(sc.getCerts()[0].getCertHash(), want))
                fail("the ESS certificate hash is not the signing certificate's");
            ok("signed attributes: content-type, message-digest, ESS signing-certificate-v2 (hash matches), no signing-time; " +
               at.size() + " in all");
            // The chain, up to the trust anchor given.
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            X509Certificate anchor;
            try (FileInputStream in = new FileInputStream(a[1])) {
                anchor = (X509Certificate) cf.generateCertificate(in);
            }
            JcaX509CertificateConverter cv = new JcaX509CertificateConverter();
            List<X509Certificate> path = new ArrayList<>();
            path.add(cv.getCertificate(h));
            for (X509CertificateHolder c : certs.getMatches(null))
                if (!c.equals(h) && !c.getSubject().equals(c.getIssuer()))
                    path.add(cv.getCertificate(c));
            PKIXParameters pp = new PKIXParameters(Collections.singleton(new TrustAnchor(anchor, null)));
            pp.setRevocationEnabled(false);
            pp.setDate(s.getSignDate().getTime());
            CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(path), pp);
            ok("chain valid up to " + anchor.getSubjectX500Principal().getName());
            List<String> eku = cv.getCertificate(h).getExtendedKeyUsage();
            if (eku == null || !eku.contains("1.2.840.113583.1.1.5"))
                fail("no document-signing extended key usage");
            boolean[] ku = cv.getCertificate(h).getKeyUsage();
            if (ku == null || !ku[0] || !ku[1]) fail("keyUsage is not digitalSignature+nonRepudiation");
            ok("keyUsage digitalSignature+nonRepudiation, EKU document signing");
            AttributeTable ut = si.getUnsignedAttributes();
            Attribute ts = ut == null ? null : ut.get(PKCSObjectIdentifiers.id_aa_signatureTimeStampToken);
            if (!wantTsa) {
                if (ts != null) fail("an unexpected timestamp");
                return;
            }
            if (ts == null) fail("no signatureTimeStampToken");
            TimeStampToken tok = new TimeStampToken(new CMSSignedData(
                ts.getAttrValues().getObjectAt(0).toASN1Primitive().getEncoded()));
            byte[] imprint = MessageDigest.getInstance("SHA-256").digest(si.getSignature());
            if (!Arrays.equals(tok.getTimeStampInfo().getMessageImprintDigest(), imprint))
                fail("the timestamp's imprint is not the signature value's SHA-256");
            Collection<X509CertificateHolder> tc = tok.getCertificates().getMatches(tok.getSID());
            if (tc.isEmpty()) fail("the TSA certificate is not in the token");
            tok.validate(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(tc.iterator().next()));
            ok("RFC 3161 timestamp: imprint = SHA-256(signature value), token signature valid, time " +
               tok.getTimeStampInfo().getGenTime().toInstant());
        }
    }
}
