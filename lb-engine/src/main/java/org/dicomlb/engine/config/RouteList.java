package org.dicomlb.engine.config;

import java.util.ArrayList;
import java.util.List;
import org.dicomlb.config.ConfigNode;
import org.dicomlb.config.Section;

/**
 * A listener's ordered {@code routes} (dicom and http listeners alike): first match wins, so an
 * empty list and a route behind a catch-all (a route with none of the conditions) are mistakes
 * the operator is told about, at their location.
 */
final class RouteList {
    private RouteList() {
    }

    /** Reads one route; null when its problems were recorded. */
    @FunctionalInterface
    interface RouteReader<R> {
        R read(Section route, int number);
    }

    /**
     * @param conditions the keys that narrow a route; a route with none of them matches everything
     * @param catchAll   how such a route is described ("has no conditions and matches every association")
     * @param unit       what a listener without routes sends to its pool ("association", "request")
     */
    static <R> List<R> read(Section s, String listener, List<String> conditions, String catchAll, String unit,
                            RouteReader<R> reader) {
        if (s.node("routes").filter(n -> n instanceof ConfigNode.Sequence q && q.items().isEmpty()).isPresent()) {
            s.error("routes", "'routes' is empty; leave it out to send every " + unit + " to the listener's pool");
        }
        List<R> routes = new ArrayList<>();
        List<Section> items = s.sections("routes", "listener '" + listener + "' route");
        int firstCatchAll = 0;
        for (int i = 0; i < items.size(); i++) {
            Section item = items.get(i);
            if (firstCatchAll > 0) {
                item.error(item.what() + " can never match: route " + firstCatchAll + " before it " + catchAll);
            }
            R r = reader.read(item, i + 1);
            if (r != null) {
                routes.add(r);
            }
            if (firstCatchAll == 0 && conditions.stream().noneMatch(item::has)) {
                firstCatchAll = i + 1;
            }
        }
        return routes;
    }
}
