package dev.tollgate.platform.launch;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import io.quarkus.arc.ClientProxy;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.CommandLineArguments;

/**
 * Creates every {@link ServingStartup} bean once Quarkus has started, when the process serves HTTP;
 * the job command ({@link Launch#isJob}) creates none of them.
 */
@ApplicationScoped
public class ServingStartupBeans {

    private static final Logger LOG = Logger.getLogger(ServingStartupBeans.class);

    static void create(@Observes StartupEvent started, @CommandLineArguments String[] arguments,
            @Any Instance<ServingStartup> beans) {
        if (Launch.isJob(arguments)) {
            return;
        }
        int created = 0;
        for (ServingStartup bean : beans) {
            // A normal-scoped bean is injected as its client proxy: unwrapping it creates the instance.
            ClientProxy.unwrap(bean);
            created++;
        }
        LOG.debugf("%d beans of the HTTP function created at start-up", created);
    }
}
