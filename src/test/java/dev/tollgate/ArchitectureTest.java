package dev.tollgate;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import jakarta.transaction.Transactional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaFieldAccess;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import dev.tollgate.ledger.CreditAccount;

/**
 * The package rules of Tollgate. One root package per feature (balance, charge, precheck, usage,
 * compensation, refresh, and any added later); the core (ledger, metering, pricing, tokens) knows
 * no feature; platform is plumbing that knows nothing of the domain.
 */
class ArchitectureTest {

    static final String ROOT = "dev.tollgate";
    static final String PLATFORM = "dev.tollgate.platform..";
    static final List<String> CORE = List.of("ledger", "metering", "pricing", "tokens", "provider", "compensation", "webhook",
            "membership");
    static final String[] CORE_PACKAGES = CORE.stream().map(p -> ROOT + "." + p + "..").toArray(String[]::new);
    static final String[] MONEY_PACKAGES = { "dev.tollgate.ledger..", "dev.tollgate.pricing..", "dev.tollgate.charge..",
            "dev.tollgate.purchase..", "dev.tollgate.platform.money.." };

    /** Every root package that is neither core nor platform is a feature, including future ones. */
    static boolean isFeature(String rootPackage) {
        return !rootPackage.equals("platform") && !CORE.contains(rootPackage);
    }

    // (a)
    static final ArchRule PLATFORM_KNOWS_NO_DOMAIN = classes()
            .that().resideInAPackage(PLATFORM)
            .should().onlyDependOnClassesThat(resideOutsideOfPackage(ROOT + "..").or(resideInAnyPackage(PLATFORM)))
            .as("platform depends on no other dev.tollgate package");

    // (b)
    static final ArchRule CORE_DEPENDS_ONLY_ON_CORE_AND_PLATFORM = classes()
            .that().resideInAnyPackage(CORE_PACKAGES)
            .should().onlyDependOnClassesThat(resideOutsideOfPackage(ROOT + "..")
                    .or(resideInAnyPackage(CORE_PACKAGES))
                    .or(resideInAnyPackage(PLATFORM)))
            .as("core (" + String.join(", ", CORE) + ") may only depend on core and platform");

    // (c)
    static final ArchRule FEATURES_ARE_INDEPENDENT = slices()
            .matching(ROOT + ".(*)..")
            .that(describe("are features", slice -> isFeature(slice.getNamePart(1))))
            .should().notDependOnEachOther()
            .as("feature packages do not depend on each other");

    // (d) part 1: the SQL that changes credit_account lives in BalanceChange.
    static final ArchRule ONLY_LEDGER_USES_BALANCE_CHANGE = noClasses()
            .that().resideOutsideOfPackage("dev.tollgate.ledger..")
            .should().dependOnClassesThat().haveFullyQualifiedName("dev.tollgate.ledger.BalanceChange")
            .as("only the ledger uses BalanceChange, the SQL that changes credit_account");

    // (d) part 2: nobody outside the ledger writes the entity.
    static final ArchRule ONLY_LEDGER_WRITES_CREDIT_ACCOUNT = noClasses()
            .that().resideOutsideOfPackage("dev.tollgate.ledger..")
            .should().setFieldWhere(describe("target is a field of CreditAccount",
                    (JavaFieldAccess access) -> access.getTargetOwner().isAssignableTo(CreditAccount.class)))
            .orShould().callMethodWhere(describe("target is a writing method of CreditAccount (persist*, delete*, update)",
                    (JavaMethodCall call) -> call.getTargetOwner().isAssignableTo(CreditAccount.class)
                            && call.getTarget().getName().matches("persist.*|delete.*|update")))
            .as("only the ledger writes CreditAccount");

    // (e)
    static final ArchRule RESOURCES_ARE_NOT_TRANSACTIONAL = noClasses()
            .that().areAnnotatedWith(jakarta.ws.rs.Path.class)
            .should().beMetaAnnotatedWith(Transactional.class)
            .as("resources are not @Transactional");

    static final ArchRule RESOURCE_METHODS_ARE_NOT_TRANSACTIONAL = noMethods()
            .that().areDeclaredInClassesThat().areAnnotatedWith(jakarta.ws.rs.Path.class)
            .should().beMetaAnnotatedWith(Transactional.class)
            .as("methods of resources are not @Transactional");

    // (f)
    static final ArchRule MONEY_HAS_NO_FLOATING_POINT_FIELDS = noFields()
            .that().areDeclaredInClassesThat().resideInAnyPackage(MONEY_PACKAGES)
            .should().haveRawType(double.class)
            .orShould().haveRawType(float.class)
            .orShould().haveRawType(Double.class)
            .orShould().haveRawType(Float.class)
            .as("no field in the money packages is a double or float");

    static final ArchRule MONEY_HAS_NO_FLOATING_POINT_SIGNATURES = codeUnits()
            .that().areDeclaredInClassesThat().resideInAnyPackage(MONEY_PACKAGES)
            .should(haveNoFloatingPointInSignature())
            .as("no method or constructor in the money packages takes or returns a double or float");

    static final ArchRule MONEY_NEVER_CONVERTS_BIG_DECIMAL_TO_FLOATING_POINT = noClasses()
            .that().resideInAnyPackage(MONEY_PACKAGES)
            .should().callConstructor(BigDecimal.class, double.class)
            .orShould().callMethod(BigDecimal.class, "valueOf", double.class)
            .orShould().callMethod(BigDecimal.class, "doubleValue")
            .orShould().callMethod(BigDecimal.class, "floatValue")
            .as("the money packages never convert between BigDecimal and double");

    static final Set<Class<?>> FLOATING_POINT = Set.of(double.class, float.class, Double.class, Float.class);

    static ArchCondition<JavaCodeUnit> haveNoFloatingPointInSignature() {
        return new ArchCondition<>("have no double or float in their signature") {
            @Override
            public void check(JavaCodeUnit unit, ConditionEvents events) {
                Stream.concat(Stream.of(unit.getRawReturnType()), unit.getRawParameterTypes().stream())
                        .filter(type -> FLOATING_POINT.stream().anyMatch(type::isEquivalentTo))
                        .forEach(type -> events.add(SimpleConditionEvent.violated(unit,
                                unit.getFullName() + " uses " + type.getName())));
            }
        };
    }

    /** Statements that change credit_account, in SQL or HQL. */
    static final Pattern WRITES_CREDIT_ACCOUNT = Pattern.compile(
            "\\b(update\\s+(credit_account|CreditAccount)|insert\\s+into\\s+credit_account|delete\\s+from\\s+(credit_account|CreditAccount)"
                    + "|merge\\s+into\\s+credit_account|truncate\\s+(table\\s+)?credit_account)\\b",
            Pattern.CASE_INSENSITIVE);

    /** Source files outside {@code dev/tollgate/ledger} whose text changes credit_account. */
    static List<Path> sqlWritersOutsideLedger(Path sourceRoot) {
        Path ledger = sourceRoot.resolve("dev/tollgate/ledger");
        try (Stream<Path> files = Files.walk(sourceRoot)) {
            return files.filter(file -> file.toString().endsWith(".java"))
                    .filter(file -> !file.startsWith(ledger))
                    .filter(file -> WRITES_CREDIT_ACCOUNT.matcher(read(file)).find())
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages(ROOT);
        // Guard against a vacuous import: the rules below would pass on nothing.
        assertThat(main.contain("dev.tollgate.ledger.Ledger")).isTrue();
        assertThat(main.contain(ArchitectureTest.class)).isFalse();
    }

    @Test
    void platformDependsOnNoOtherTollgatePackage() {
        PLATFORM_KNOWS_NO_DOMAIN.check(main);
    }

    @Test
    void coreDependsOnlyOnCoreAndPlatform() {
        CORE_DEPENDS_ONLY_ON_CORE_AND_PLATFORM.check(main);
    }

    @Test
    void featuresDoNotDependOnEachOther() {
        FEATURES_ARE_INDEPENDENT.check(main);
    }

    @Test
    void onlyTheLedgerChangesCreditAccount() {
        ONLY_LEDGER_USES_BALANCE_CHANGE.check(main);
        ONLY_LEDGER_WRITES_CREDIT_ACCOUNT.check(main);
    }

    @Test
    void noSqlOutsideTheLedgerChangesCreditAccount() {
        Path sources = Path.of("src/main/java");
        assertThat(sources.resolve("dev/tollgate/ledger/BalanceChange.java")).exists();
        // The ledger itself matches, or the pattern would be wrong.
        assertThat(WRITES_CREDIT_ACCOUNT.matcher(read(sources.resolve("dev/tollgate/ledger/BalanceChange.java"))).find())
                .isTrue();
        assertThat(sqlWritersOutsideLedger(sources)).isEmpty();
    }

    @Test
    void theSqlScanFindsWritersOutsideTheLedger(@TempDir Path root) throws IOException {
        Path ledger = Files.createDirectories(root.resolve("dev/tollgate/ledger"));
        Path refresh = Files.createDirectories(root.resolve("dev/tollgate/refresh"));
        Files.writeString(ledger.resolve("Ledger.java"), "String sql = \"UPDATE credit_account SET x = 1\";");
        Files.writeString(refresh.resolve("Reader.java"), "String sql = \"SELECT * FROM credit_account\";");
        Files.writeString(refresh.resolve("Audit.java"), "String sql = \"INSERT INTO credit_audit_log VALUES (1)\";");
        Files.writeString(refresh.resolve("Refresh.java"), "String sql = \"\"\"\n    update\n  credit_account a set ...\"\"\";");
        Files.writeString(refresh.resolve("Hql.java"), "CreditAccount.update(\"monthly = 0\"); q(\"delete from CreditAccount\");");

        assertThat(sqlWritersOutsideLedger(root))
                .containsExactly(refresh.resolve("Hql.java"), refresh.resolve("Refresh.java"));
    }

    @Test
    void resourcesAreNotTransactional() {
        RESOURCES_ARE_NOT_TRANSACTIONAL.check(main);
        RESOURCE_METHODS_ARE_NOT_TRANSACTIONAL.check(main);
    }

    @Test
    void moneyIsNeverFloatingPoint() {
        MONEY_HAS_NO_FLOATING_POINT_FIELDS.check(main);
        MONEY_HAS_NO_FLOATING_POINT_SIGNATURES.check(main);
        MONEY_NEVER_CONVERTS_BIG_DECIMAL_TO_FLOATING_POINT.check(main);
    }

    @Test
    void theFeaturesAreTheRootPackagesOutsideCoreAndPlatform() {
        Set<String> roots = main.stream()
                .map(JavaClass::getPackageName)
                .filter(name -> name.startsWith(ROOT + "."))
                .map(name -> name.substring(ROOT.length() + 1).split("\\.")[0])
                .collect(Collectors.toSet());
        assertThat(roots).containsAll(CORE).contains("platform");
        assertThat(roots.stream().filter(ArchitectureTest::isFeature))
                .contains("balance", "charge", "precheck", "usage", "reservation", "chat", "jobs");
    }
}
